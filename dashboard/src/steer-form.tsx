/**
 * Steering an item's live run from the page: add context, checkpoint and replan, or stop and
 * requeue — `POST /api/steer` by item, the event id made up by the Worker.
 */
import { useState } from "preact/hooks";
import { useStore } from "./hooks.ts";

type Command = "append_context" | "checkpoint_and_replan" | "stop_and_requeue";

const WHAT: Record<Command, string> = {
  append_context: "Add context",
  checkpoint_and_replan: "Checkpoint and replan",
  stop_and_requeue: "Stop and requeue",
};

export function SteerForm(props: { item: string }) {
  const store = useStore();
  const [text, setText] = useState("");
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const send = async (command: Command): Promise<void> => {
    setBusy(true);
    const done = await store.act(`${WHAT[command]} for ${props.item}`, "/api/steer", {
      item: props.item,
      command,
      reason: reason.trim() || `${WHAT[command].toLowerCase()}, from the dashboard`,
      text,
      // Each press is its own command: the same text sent twice on purpose is sent twice.
      sourceEventId: `dashboard-${crypto.randomUUID()}`,
    });
    setBusy(false);
    if (done) setText("");
  };
  return (
    <details class="steer">
      <summary>Steer</summary>
      <label>
        Context for the agent
        <textarea value={text} rows={3} onInput={(event) => setText(event.currentTarget.value)} />
      </label>
      <label>
        Reason
        <input
          value={reason}
          placeholder="why (optional)"
          onInput={(event) => setReason(event.currentTarget.value)}
        />
      </label>
      <div class="actions">
        <button
          type="button"
          disabled={busy || text.trim() === ""}
          onClick={() => void send("append_context")}
        >
          Add context
        </button>
        <button type="button" disabled={busy} onClick={() => void send("checkpoint_and_replan")}>
          Checkpoint and replan
        </button>
        <button type="button" class="danger" disabled={busy} onClick={() => void send("stop_and_requeue")}>
          Stop and requeue
        </button>
      </div>
    </details>
  );
}
