/**
 * What a verified delivery becomes for the WorkspaceSupervisor: its ids, and the normalized,
 * bounded workspace event (null for a verified event the product does not use), or the 4xx
 * refusal of a payload that cannot be used. Pure; the webhook route calls it after checking
 * the signature, and the fault simulation calls it on the emulator's captured deliveries.
 */
import { isUsedEvent, normalizeEvent, type WorkspaceEvent } from "../events/normalize-event.ts";
import type { IngestDelivery } from "../supervisor/supervisor-host.ts";
import { boundEvent, checkIdentifier } from "./bound-event.ts";

export type IngestInputResult =
  { ok: true; delivery: IngestDelivery } | { ok: false; status: 400 | 413; error: string };

export function ingestInput(delivery: {
  deliveryId: string;
  event: string;
  hookId: string | null;
  payload: Record<string, unknown>;
}): IngestInputResult {
  const { deliveryId, event, hookId, payload } = delivery;
  const action = typeof payload.action === "string" ? payload.action : null;
  // Stored with every delivery, used or not.
  const tooLong = checkIdentifier("action", action);
  if (tooLong !== null) return { ok: false, status: 413, error: tooLong };
  let workspaceEvent: WorkspaceEvent | null = null;
  if (isUsedEvent(event)) {
    const normalized = normalizeEvent(event, payload);
    if (!normalized.ok) return { ok: false, status: 400, error: normalized.reason };
    const bounded = boundEvent(normalized.event);
    if (!bounded.ok) return { ok: false, status: 413, error: bounded.error };
    workspaceEvent = bounded.value;
  }
  return { ok: true, delivery: { deliveryId, event, action, hookId, workspaceEvent } };
}
