package dev.rlaif.labeling.queue;

import dev.rlaif.labeling.store.StoredLease;
import dev.rlaif.schema.EscalationRequest;

/**
 * A task handed to an annotator: the lease (with the order the two responses are shown in) and the escalation.
 *
 * @param lease      the lease; {@code order} "BA" means the pair's B is shown on the left
 * @param request    the escalation, with the pair and, maybe, the judgment
 * @param labelsWanted how many distinct annotators the task wants
 * @param labelsDone how many have labeled it so far
 */
public record Assignment(StoredLease lease, EscalationRequest request, int labelsWanted, int labelsDone) {

    /** Whether the pair's A response is the one shown on the left. */
    public boolean aOnLeft() {
        return "AB".equals(lease.order());
    }
}
