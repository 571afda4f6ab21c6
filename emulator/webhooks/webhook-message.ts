/**
 * One webhook delivery before it is signed and sent: the `X-GitHub-Event` name, the action,
 * and the JSON payload, which for an org hook always names the organization and the sender.
 * Built by the payload modules, sent by the dispatcher.
 */
import type { OrgSimple, SimpleUser } from "./rest-shapes.ts";

export interface WebhookMessage {
  event: string;
  action: string;
  payload: { organization: OrgSimple; sender: SimpleUser; action?: string };
}
