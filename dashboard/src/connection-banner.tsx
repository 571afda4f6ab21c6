/** Where the page stands with the Worker: live, reconnecting, refused, or unreachable — always in words. */
import type { LiveStatus } from "./live-connection.ts";
import { useNow } from "./hooks.ts";
import { clock, span } from "./time.ts";

export function ConnectionBanner(props: { live: LiveStatus; readAt: number | null }) {
  const now = useNow();
  const { live } = props;
  const retry = "retryAt" in live ? ` Trying again in ${span(Math.max(0, live.retryAt - now))}.` : "";
  const last = props.readAt === null ? "" : ` Last read at ${clock(props.readAt)}.`;
  let text: string;
  switch (live.kind) {
    case "connecting":
      text = "Connecting to the Worker…";
      break;
    case "live":
      text = "Live: changes show as they happen.";
      break;
    case "reconnecting":
      text = `Reconnecting: ${live.reason}.${retry}${last}`;
      break;
    case "refused":
      text = `Not live: the Worker refused (${live.reason}).${retry}${last}`;
      break;
    case "unreachable":
      text = `Worker unreachable: what you see may be out of date.${retry}${last}`;
      break;
  }
  return (
    <div id="connection" class={`banner banner-${live.kind}`} role="status" aria-live="polite">
      {text}
    </div>
  );
}
