/**
 * The script a scripted model endpoint follows, shared by its two wire formats (OpenAI Responses
 * for Codex, Anthropic Messages for Claude Code): the step to answer is the number of tool
 * outputs already in the conversation, so a steered or restarted session lands on the same step.
 */

export type ScriptStep =
  /** Ask the agent to run this shell command in its working directory. */
  | { command: string }
  /** The final assistant message: it ends the turn. */
  | { message: string }
  /** Never answer (the model stalls); the connection is held until the server closes. */
  | { hang: true };

export interface ScriptOptions {
  steps?: ScriptStep[];
  /** Shorthand for `steps: [{ command }, { message: finalMessage }]`. */
  command?: string;
  finalMessage?: string;
}

export function scriptSteps(options: ScriptOptions): ScriptStep[] {
  if (options.steps !== undefined && options.steps.length > 0) return options.steps;
  if (options.command === undefined || options.finalMessage === undefined)
    throw new Error("a model script needs steps, or a command and a final message");
  return [{ command: options.command }, { message: options.finalMessage }];
}

/** The step for a conversation holding `toolOutputs` tool results; past the end, the last step. */
export function stepFor(steps: readonly ScriptStep[], toolOutputs: number): ScriptStep {
  const step = steps[Math.min(toolOutputs, steps.length - 1)];
  if (step === undefined) throw new Error("empty model script");
  return step;
}

/** The label a recorded request gets for the step it was answered with. */
export function answerLabel(step: ScriptStep): string {
  if ("command" in step) return "tool_call";
  if ("message" in step) return "final_message";
  return "hang";
}
