#!/usr/bin/env python3
"""An RL rollout worker talking to rlaif over HTTP, standard library only (Python 3.8+).

For each prompt it takes a group of sampled responses (here read from a JSON-lines file, as a policy server would
return them), posts them to the gateway as generations (so rlaif pairs, judges and labels them into preference data),
then asks the scorer for the current reward model's reward of each response and turns the rewards into
group-relative advantages (reward minus the group's mean, as GRPO-style online RLHF does).

    python3 examples/python/rollout_worker.py --gateway http://localhost:8080 --scorer http://localhost:8086 \
        --rollouts examples/python/rollouts.jsonl

Each input line: {"prompt_id": "...", "prompt": "text" or [{"role","content"}...], "responses": ["...", ...],
"policy_model"?: "...", "policy_version"?: "..."}. One JSON line per prompt goes to standard output, then a summary
line {"summary": {...}}. Exit status 0 when every generation was accepted and every response scored.
The scorer answers 503 with Retry-After until a first reward model is published: the worker waits, a bounded number
of times, then reports the group unscored rather than inventing rewards.
"""
import argparse
import hashlib
import json
import sys
import time
import urllib.error
import urllib.request


def post_json(url, body, token=None, content_type="application/json", timeout=30.0):
    """POSTs a body; returns (status, parsed JSON answer, headers). HTTP errors are answers, not exceptions."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    req = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": content_type})
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null"), dict(resp.headers)
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = {"error": raw.decode("utf-8", "replace")}
        return e.code, answer, dict(e.headers)


def as_messages(prompt):
    return [{"role": "user", "content": prompt}] if isinstance(prompt, str) else prompt


def generation_id(prompt_id, policy_model, response):
    # Stable id: a retried post of the same rollout is paired once by the pipeline.
    digest = hashlib.sha256((prompt_id + "\n" + policy_model + "\n" + response).encode("utf-8")).hexdigest()
    return prompt_id + "-" + digest[:16]


def send_generations(args, rollout):
    """Posts one prompt's responses as one NDJSON batch; retries 503 (Kafka did not acknowledge) a bounded number of times."""
    policy_model = rollout.get("policy_model", args.policy_model)
    lines = []
    for response in rollout["responses"]:
        lines.append(json.dumps({
            "generation_id": generation_id(rollout["prompt_id"], policy_model, response),
            "prompt_id": rollout["prompt_id"],
            "prompt": as_messages(rollout["prompt"]),
            "response": response,
            "policy_model": policy_model,
            "policy_version": rollout.get("policy_version", args.policy_version),
            "sampling": {"temperature": args.temperature},
            "tags": {"source": "rollout_worker.py"},
        }))
    body = ("\n".join(lines) + "\n").encode("utf-8")
    for attempt in range(args.retries + 1):
        status, answer, headers = post_json(args.gateway.rstrip("/") + "/v1/generations", body, args.token,
                                            "application/x-ndjson")
        if status == 202:
            return answer
        if status == 503 and attempt < args.retries:
            time.sleep(float(headers.get("Retry-After", "1")))
            continue
        raise RuntimeError("gateway answered %d: %s" % (status, json.dumps(answer)))
    raise AssertionError("unreachable")


def score(args, rollout):
    """Rewards of the group's responses from the scorer; None when no reward model is published after the retries."""
    items = [{"prompt": as_messages(rollout["prompt"]), "response": r} for r in rollout["responses"]]
    for attempt in range(args.retries + 1):
        status, answer, headers = post_json(args.scorer.rstrip("/") + "/v1/score", {"items": items})
        if status == 200:
            return answer
        if status == 503 and attempt < args.retries:
            time.sleep(min(float(headers.get("Retry-After", "1")), args.max_wait))
            continue
        if status == 503:
            return None
        raise RuntimeError("scorer answered %d: %s" % (status, json.dumps(answer)))
    raise AssertionError("unreachable")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--gateway", required=True, help="gateway base URL, e.g. http://localhost:8080")
    p.add_argument("--scorer", required=True, help="scorer base URL, e.g. http://localhost:8086")
    p.add_argument("--rollouts", required=True, help="JSON-lines file of prompts with their sampled responses")
    p.add_argument("--token", default=None, help="gateway bearer token (RLAIF_GATEWAY_TOKENS on the gateway)")
    p.add_argument("--policy-model", default="rollout-policy")
    p.add_argument("--policy-version", default="step-0")
    p.add_argument("--temperature", type=float, default=1.0)
    p.add_argument("--retries", type=int, default=5, help="retries on 503 from the gateway or the scorer")
    p.add_argument("--max-wait", type=float, default=5.0, help="longest wait between scorer retries, seconds")
    args = p.parse_args(argv)

    accepted = scored = unscored = 0
    with open(args.rollouts, encoding="utf-8") as f:
        rollouts = [json.loads(line) for line in f if line.strip()]
    for rollout in rollouts:
        sent = send_generations(args, rollout)
        accepted += sent["accepted"]
        answer = score(args, rollout)
        out = {"prompt_id": rollout["prompt_id"], "generation_ids": sent["ids"]}
        if answer is None:
            unscored += len(rollout["responses"])
            out["rewards"] = None
        else:
            rewards = [r["reward"] for r in answer["results"]]
            mean = sum(rewards) / len(rewards)
            out.update(model_version=answer["model_version"], rewards=rewards,
                       advantages=[round(r - mean, 6) for r in rewards])
            scored += len(rewards)
        print(json.dumps(out), flush=True)
    total = sum(len(r["responses"]) for r in rollouts)
    print(json.dumps({"summary": {"prompts": len(rollouts), "generations": total, "accepted": accepted,
                                  "scored": scored, "unscored": unscored}}), flush=True)
    return 0 if accepted == total and scored == total else 1


if __name__ == "__main__":
    sys.exit(main())
