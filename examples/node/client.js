#!/usr/bin/env node
// A client no one on the rlaif team wrote: kafkajs + @kafkajs/confluent-schema-registry, the usual Node stack for
// Confluent-serialized Avro. It reads rlaif's topics through the registry's Confluent-compatible API (Apicurio:
// /apis/ccompat/v7), decoding the Confluent wire format (magic byte 0, 4-byte schema id, Avro binary), and writes
// a PolicyGeneration in the same format with the schema registered for `generations`, which the pipeline then pairs.
//
//   node client.js --brokers localhost:9094 --registry http://localhost:8090/apis/ccompat/v7 \
//        --produce --prompt-id p-1 --prompt "Hi" --response "Hello!" \
//        --consume generations,pairs --until-pair-of p-1 --timeout 60
//
// One JSON line per record read, {"topic","key","value"}; the last line is {"summary": {...}}. Exit 0 when what was
// asked for happened (the generation acknowledged; with --until-pair-of, a pair of that prompt read), 1 otherwise.
'use strict';

const { Kafka, logLevel, CompressionTypes, CompressionCodecs } = require('kafkajs');
const { SchemaRegistry } = require('@kafkajs/confluent-schema-registry');
const lz4 = require('lz4js');

// rlaif's producers compress with LZ4 (Kafka's LZ4 frame format); kafkajs ships GZIP only and takes other codecs as
// plug-ins. lz4js is a pure-JavaScript LZ4 frame implementation: no native build.
CompressionCodecs[CompressionTypes.LZ4] = () => ({
  compress: async (encoder) => Buffer.from(lz4.compress(encoder.buffer)),
  decompress: async (buffer) => Buffer.from(lz4.decompress(buffer)),
});

function parseArgs(argv) {
  const args = {
    brokers: 'localhost:9094', registry: 'http://localhost:8090/apis/ccompat/v7', consume: [], produce: false,
    promptId: null, prompt: 'Say something kind.', response: 'You are doing great.', policyModel: 'node-client',
    untilPairOf: null, timeout: 60, max: 1000,
  };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    switch (a) {
      case '--brokers': args.brokers = next(); break;
      case '--registry': args.registry = next(); break;
      case '--consume': args.consume = next().split(',').filter(Boolean); break;
      case '--produce': args.produce = true; break;
      case '--prompt-id': args.promptId = next(); break;
      case '--prompt': args.prompt = next(); break;
      case '--response': args.response = next(); break;
      case '--policy-model': args.policyModel = next(); break;
      case '--until-pair-of': args.untilPairOf = next(); break;
      case '--timeout': args.timeout = Number(next()); break;
      case '--max': args.max = Number(next()); break;
      default: throw new Error('unknown argument ' + a);
    }
  }
  if (args.produce && !args.promptId) throw new Error('--produce needs --prompt-id');
  return args;
}

// JSON for what avsc decodes: longs may be BigInt, bytes are Buffers.
function toJson(value) {
  return JSON.stringify(value, (k, v) => (typeof v === 'bigint' ? v.toString()
    : (v && v.type === 'Buffer' && Array.isArray(v.data)) ? Buffer.from(v.data).toString('base64') : v));
}

async function produceGeneration(kafka, registry, args) {
  // The schema the pipeline registered for the topic's values (TopicIdStrategy: subject `generations-value`).
  const schemaId = await registry.getLatestSchemaId('generations-value');
  const generation = {
    generation_id: args.promptId + '-node-' + Date.now(),
    prompt_id: args.promptId,
    prompt: [{ role: 'user', content: args.prompt }],
    response: args.response,
    policy_model: args.policyModel,
    policy_version: '',
    sampling: null,
    created_at: Date.now(),
    tags: { source: 'kafkajs' },
  };
  const value = await registry.encode(schemaId, generation);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    // Keyed by prompt id, as the pipeline requires of `generations`.
    await producer.send({ topic: 'generations', acks: -1, messages: [{ key: args.promptId, value }] });
  } finally {
    await producer.disconnect();
  }
  return { schemaId, generationId: generation.generation_id };
}

async function consume(kafka, registry, args, summary) {
  const consumer = kafka.consumer({ groupId: 'rlaif-node-client-' + process.pid + '-' + Date.now() });
  await consumer.connect();
  for (const topic of args.consume) await consumer.subscribe({ topic, fromBeginning: true });
  let finish;
  const done = new Promise((resolve) => { finish = resolve; });
  const timer = setTimeout(() => finish('timeout'), args.timeout * 1000);
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const value = await registry.decode(message.value);
      summary.read[topic] = (summary.read[topic] || 0) + 1;
      console.log(toJson({ topic, key: message.key && message.key.toString(), value }));
      if (args.untilPairOf && topic === 'pairs' && value.prompt_id === args.untilPairOf) {
        summary.pairs_of_prompt = (summary.pairs_of_prompt || 0) + 1;
        finish('pair');
      }
      if (!args.untilPairOf && Object.values(summary.read).reduce((a, b) => a + b, 0) >= args.max) finish('max');
    },
  });
  summary.stopped_by = await done;
  clearTimeout(timer);
  await consumer.disconnect();
}

async function main() {
  const args = parseArgs(process.argv);
  const kafka = new Kafka({ clientId: 'rlaif-node-client', brokers: args.brokers.split(','), logLevel: logLevel.ERROR });
  const registry = new SchemaRegistry({ host: args.registry });
  const summary = { read: {} };
  if (args.produce) {
    const sent = await produceGeneration(kafka, registry, args);
    summary.produced = sent.generationId;
    summary.schema_id = sent.schemaId;
  }
  if (args.consume.length > 0) await consume(kafka, registry, args, summary);
  console.log(JSON.stringify({ summary }));
  const ok = (!args.produce || summary.produced) && (!args.untilPairOf || summary.stopped_by === 'pair');
  process.exit(ok ? 0 : 1);
}

main().catch((e) => {
  console.error('rlaif node client: ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
