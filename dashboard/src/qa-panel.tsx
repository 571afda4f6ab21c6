/**
 * The workspace QA sequence, the current item first: pass it, or fail it with a note (the note
 * goes into its next run's prompt); any other item can be made the next one.
 */
import { useState } from "preact/hooks";
import type { QaEntry } from "./api-schema.ts";
import { useStore } from "./hooks.ts";
import { ItemLink } from "./item-link.tsx";

export function QaPanel(props: { sequence: QaEntry[] }) {
  const [current, ...rest] = props.sequence;
  return (
    <section class="panel qa" aria-labelledby="qa-heading">
      <h2 id="qa-heading">QA sequence</h2>
      {current === undefined ? (
        <p class="muted">Nothing waits for QA.</p>
      ) : (
        <>
          <CurrentQa key={`${current.repo}#${current.number}`} entry={current} />
          {rest.length > 0 ? (
            <ol class="qa-next" start={2}>
              {rest.map((entry, index) => (
                <NextQa key={`${entry.repo}#${entry.number}`} entry={entry} position={index + 1} />
              ))}
            </ol>
          ) : null}
        </>
      )}
    </section>
  );
}

function CurrentQa(props: { entry: QaEntry }) {
  const store = useStore();
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const item = `${props.entry.repo}#${props.entry.number}`;
  const verdict = async (value: "pass" | "fail"): Promise<void> => {
    setBusy(true);
    await store.act(`QA ${value} for ${item}`, "/api/qa/verdict", {
      item,
      verdict: value,
      note: note.trim() === "" ? null : note.trim(),
    });
    setBusy(false);
  };
  return (
    <div class="qa-current" aria-label="QA now">
      <p>
        <strong>Now:</strong>{" "}
        <ItemLink
          repo={props.entry.repo}
          number={props.entry.number}
          title={props.entry.title}
          url={props.entry.url}
        />
      </p>
      <label>
        Note
        <textarea
          rows={2}
          value={note}
          placeholder="what you saw (needed to fail it)"
          onInput={(event) => setNote(event.currentTarget.value)}
        />
      </label>
      <div class="actions">
        <button type="button" class="good" disabled={busy} onClick={() => void verdict("pass")}>
          Pass
        </button>
        <button
          type="button"
          class="danger"
          disabled={busy || note.trim() === ""}
          onClick={() => void verdict("fail")}
        >
          Fail with note
        </button>
      </div>
    </div>
  );
}

function NextQa(props: { entry: QaEntry; position: number }) {
  const store = useStore();
  const item = `${props.entry.repo}#${props.entry.number}`;
  return (
    <li>
      <ItemLink
        repo={props.entry.repo}
        number={props.entry.number}
        title={props.entry.title}
        url={props.entry.url}
      />{" "}
      <button
        type="button"
        onClick={() => void store.act(`QA ${item} next`, "/api/qa/move", { item, position: 0 })}
      >
        QA it next
      </button>
    </li>
  );
}
