/**
 * Comments on issues and pull requests (GitHub keeps both as issue comments), with the
 * `issue_comment` webhook. Used by the Copilot module for its reports.
 */
import type { EmulatorStore } from "./emulator-store.ts";
import { databaseId, nodeId, NodePrefix } from "./ids.ts";
import type { Comment } from "./pull-state-schema.ts";

export class Comments {
  readonly #store: EmulatorStore;

  constructor(store: EmulatorStore) {
    this.#store = store;
  }

  of(subjectId: string): Comment[] {
    return this.#store.state.comments.filter((c) => c.subjectId === subjectId);
  }

  add(subjectId: string, body: string, actor: string): Comment {
    const key = `comment:${subjectId}:${this.#store.state.comments.length}`;
    const comment: Comment = {
      id: nodeId(NodePrefix.comment, key),
      databaseId: databaseId(key),
      subjectId,
      author: this.#store.account(actor).login,
      body,
      createdAt: this.#store.now(),
    };
    this.#store.state.comments.push(comment);
    this.#store.emit({ type: "comment.created", comment, actor });
    return comment;
  }
}
