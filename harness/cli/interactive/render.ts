/**
 * What the terminal of `run --interactive` shows, as plain lines: the prompt before a trial's first fault, the live
 * view of a recovery, the note being typed. Pure functions of what they are given (the time included), so the
 * terminal code only decides where the lines go.
 */
import type { FaultPrompt, LiveState, LiveTrial } from '../../run/operator.js';

/** Seconds with one decimal: what a person reads off a live view. */
function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** `scenario [VAR=x] · trial 2/3`. */
function title(scenario: string, variant: string | null, trial: number, trials: number): string {
  return `${scenario}${variant ? ` [${variant}]` : ''} · trial ${trial}/${trials}`;
}

/** The keys of a prompt, as its last line shows them (and the plain prompt asks for them). */
export const PROMPT_KEYS = '[g/Enter] go   [s] skip this trial   [a] abort the run   [n] write a note';

/** The prompt before a trial's first fault: what will be hit, where, and the keys. */
export function promptLines(prompt: FaultPrompt): string[] {
  const { fault } = prompt;
  const lines = [
    `── ${title(prompt.scenario, prompt.variant, prompt.trial, prompt.trials)} · next fault, at T0 +${seconds(fault.atMs)} ──`,
    ` ${fault.kind}: ${fault.summary}`,
  ];
  for (const target of fault.targets) {
    const where = target.namespace ?? (target.kind === 'Node' ? null : prompt.namespace);
    lines.push(`   ${target.kind} ${target.name}${target.container ? ` container ${target.container}` : ''}${where ? ` in namespace ${where}` : ''}${target.node && target.kind !== 'Node' ? ` on node ${target.node}` : ''}`);
  }
  if (fault.targets.length === 0) lines.push(`   (no target listed; namespace ${prompt.namespace})`);
  for (const later of prompt.later) lines.push(`   then ${later.kind} at T0 +${seconds(later.atMs)} (its targets are chosen when it is due)`);
  return lines;
}

/** The steady state in lines: the verdict, each check, the workloads and counts. */
function stateLines(state: LiveState): string[] {
  const failing = state.checks.filter((c) => !c.holds).length;
  const lines = [state.holds
    ? ` steady state HOLDS (${state.checks.length} check${state.checks.length === 1 ? '' : 's'})`
    : ` steady state BROKEN (${failing} of ${state.checks.length} check${state.checks.length === 1 ? '' : 's'} failing)`];
  for (const check of state.checks) lines.push(`   ${check.holds ? 'ok  ' : 'FAIL'} ${check.detail}`);
  const workloads = state.workloads.map((w) => `${w.kind}/${w.name} ${w.ready}/${w.desired}`);
  lines.push(` ready: ${[...workloads, `pods ${state.readyPods}`, `endpoints ${state.readyEndpoints}`, `nodes ${state.readyNodes}`].join(' · ')}`);
  return lines;
}

/** Where a followed trial stands at `now`: before its first fault, or recovering since the injection. */
function progress(trial: LiveTrial, now: number): string {
  const injectedAt = trial.injectedAt();
  const sinceT0 = `T0 +${seconds(now - trial.t0)}`;
  return injectedAt === null ? `waiting for the first fault (${sinceT0})` : `${seconds(now - injectedAt)} since the injection (${sinceT0})`;
}

/** The live view of a trial at `now` (monotonic ms). */
export function liveLines(trial: LiveTrial, state: LiveState, now: number): string[] {
  return [`── ${title(trial.scenario, null, trial.trial, trial.trials)} · ${progress(trial, now)} ──`, ...stateLines(state)];
}

/** One line for a log (plain output): the trial's progress and what fails, with the workloads. */
export function liveLine(trial: LiveTrial, state: LiveState, now: number): string {
  const failing = state.checks.filter((c) => !c.holds).map((c) => c.detail);
  const workloads = state.workloads.map((w) => `${w.kind}/${w.name} ${w.ready}/${w.desired}`).join(', ');
  return `    trial ${trial.trial}: ${progress(trial, now)}: ${state.holds ? 'steady state holds' : `BROKEN: ${failing.join('; ')}`}${workloads ? ` | ${workloads}` : ''}`;
}

/** The note being typed, or the hint that one can be. */
export function noteLine(draft: string | null, prompting: boolean): string {
  if (draft !== null) return ` note> ${draft}_   (Enter saves it, Esc drops it)`;
  return prompting ? ` ${PROMPT_KEYS}` : ' type to write a note (Enter saves it) · Ctrl-C stops the run and undoes it';
}

/** How a saved note is echoed: stamped against the trial's T0 when one is under way, and with the wall clock. */
export function noteEcho(text: string, at: { readonly wall: Date; readonly trial: number | null; readonly sinceT0Ms: number | null }): string {
  const when = at.trial !== null && at.sinceT0Ms !== null ? `trial ${at.trial}, T0 +${seconds(at.sinceT0Ms)}, ` : '';
  return `    note (${when}${at.wall.toISOString().slice(11, 19)}Z): ${text}`;
}
