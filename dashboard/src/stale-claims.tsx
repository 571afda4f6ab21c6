/**
 * People's claims that need a person: a lease that passed (never released behind their back),
 * or claim fields left on a finished item. Releasing one asks first, then `POST /api/release`.
 */
import { useState } from "preact/hooks";
import type { RepoState, StaleClaim } from "./api-schema.ts";
import { ConfirmDialog } from "./confirm-dialog.tsx";
import { useStore } from "./hooks.ts";
import { ItemLink } from "./item-link.tsx";
import { dateTime } from "./time.ts";

export function StaleClaims(props: { repo: RepoState }) {
  const store = useStore();
  const [asking, setAsking] = useState<StaleClaim | null>(null);
  const claims = props.repo.staleClaims.filter((claim) => claim.number !== null);
  if (claims.length === 0) return null;
  const name = (claim: StaleClaim): string => `${props.repo.name}#${claim.number ?? 0}`;
  return (
    <div class="stale">
      <h3>Stale claims</h3>
      <ul>
        {claims.map((claim) => (
          <li key={claim.number}>
            <ItemLink repo={props.repo.name} here={props.repo.name} number={claim.number ?? 0} /> claimed by{" "}
            <strong>{claim.claimOwner}</strong>
            {claim.kind === "expired"
              ? `, whose lease passed${claim.leaseExpires ? ` at ${dateTime(claim.leaseExpires)}` : ""}`
              : ", left on a finished item"}
            {claim.stillActive ? " (it still holds its keys through its Status)" : ""}.{" "}
            <button type="button" class="danger" onClick={() => setAsking(claim)}>
              Release claim
            </button>
          </li>
        ))}
      </ul>
      {asking ? (
        <ConfirmDialog
          title={`Release ${asking.claimOwner}'s claim on #${asking.number ?? 0}?`}
          confirm="Release"
          onCancel={() => setAsking(null)}
          onConfirm={() => {
            const claim = asking;
            setAsking(null);
            void store.act(`Release ${name(claim)}`, "/api/release", { item: name(claim) });
          }}
        >
          <p>
            Its Claim Owner, Lease Expires and Lock Key are cleared on the board, and an active Status goes
            back to Ready. If {asking.claimOwner} is still working on it, tell them first.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
