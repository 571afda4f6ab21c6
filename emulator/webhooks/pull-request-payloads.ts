/**
 * `pull_request` deliveries as GitHub sends them, typed with @octokit/openapi-webhooks-types:
 * opened, edited, closed (merged or not), reopened, ready_for_review, converted_to_draft,
 * labeled, unlabeled, review_requested, review_request_removed, assigned, unassigned,
 * auto_merge_enabled, auto_merge_disabled and synchronize. Used by webhook-payloads.ts.
 */
import type { EmulatorStore } from "../store/emulator-store.ts";
import type { PullRequestEvent } from "../store/store-events.ts";
import { restPullRequest } from "./rest-pull-request.ts";
import { orgSimple, restLabel, restRepository, simpleUser, type Schemas } from "./rest-shapes.ts";
import type { WebhookMessage } from "./webhook-message.ts";

export function pullRequestMessage(store: EmulatorStore, event: PullRequestEvent): WebhookMessage {
  const pr = event.pullRequest;
  const repo = store.loop.git.repo(pr.repo);
  const common = {
    number: pr.number,
    pull_request: restPullRequest(store, pr),
    repository: restRepository(store, repo),
    organization: orgSimple(store, repo.owner),
    sender: simpleUser(event.actor),
  };
  const message = (payload: WebhookMessage["payload"]): WebhookMessage => ({
    event: "pull_request",
    action: event.action,
    payload,
  });
  switch (event.action) {
    case "opened": {
      const payload: Schemas["webhook-pull-request-opened"] = { action: "opened", ...common };
      return message({ ...payload, ...common });
    }
    case "closed": {
      const payload: Schemas["webhook-pull-request-closed"] = { action: "closed", ...common };
      return message({ ...payload, ...common });
    }
    case "reopened": {
      const payload: Schemas["webhook-pull-request-reopened"] = { action: "reopened", ...common };
      return message({ ...payload, ...common });
    }
    case "ready_for_review": {
      const payload: Schemas["webhook-pull-request-ready-for-review"] = {
        action: "ready_for_review",
        ...common,
      };
      return message({ ...payload, ...common });
    }
    case "converted_to_draft": {
      const payload: Schemas["webhook-pull-request-converted-to-draft"] = {
        action: "converted_to_draft",
        ...common,
      };
      return message({ ...payload, ...common });
    }
    case "edited": {
      const payload: Schemas["webhook-pull-request-edited"] = {
        action: "edited",
        changes: event.changes,
        ...common,
      };
      return message({ ...payload, ...common });
    }
    case "labeled":
    case "unlabeled": {
      const label = restLabel(event.label);
      const payload: Schemas["webhook-pull-request-labeled"] | Schemas["webhook-pull-request-unlabeled"] =
        event.action === "labeled"
          ? { action: "labeled", label, ...common }
          : { action: "unlabeled", label, ...common };
      return message({ ...payload, ...common });
    }
    case "review_requested":
    case "review_request_removed": {
      const requested_reviewer = simpleUser(event.reviewer);
      const payload:
        | Schemas["webhook-pull-request-review-requested"]
        | Schemas["webhook-pull-request-review-request-removed"] =
        event.action === "review_requested"
          ? { action: "review_requested", requested_reviewer, ...common }
          : { action: "review_request_removed", requested_reviewer, ...common };
      return message({ ...payload, ...common });
    }
    case "assigned":
    case "unassigned": {
      const assignee = simpleUser(event.assignee);
      const payload: Schemas["webhook-pull-request-assigned"] | Schemas["webhook-pull-request-unassigned"] =
        event.action === "assigned"
          ? { action: "assigned", assignee, ...common }
          : { action: "unassigned", assignee, ...common };
      return message({ ...payload, ...common });
    }
    case "auto_merge_enabled":
    case "auto_merge_disabled": {
      const payload:
        | Schemas["webhook-pull-request-auto-merge-enabled"]
        | Schemas["webhook-pull-request-auto-merge-disabled"] =
        event.action === "auto_merge_enabled"
          ? { action: "auto_merge_enabled", ...common }
          : { action: "auto_merge_disabled", reason: "Auto-merge was disabled", ...common };
      return message({ ...payload, ...common });
    }
    case "synchronize": {
      const payload: Schemas["webhook-pull-request-synchronize"] = {
        action: "synchronize",
        before: event.before,
        after: event.after,
        ...common,
      };
      return message({ ...payload, ...common });
    }
  }
}
