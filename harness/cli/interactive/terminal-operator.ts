/**
 * The operator of `run --interactive`: the people at the terminal. Before each trial's first fault they see what it
 * will hit and press a key: g or Enter (go), s (skip the trial), a (abort the run, as a first Ctrl-C would). While the
 * system recovers they see its steady-state checks, ready counts and the time since the injection, redrawn in place.
 * Whatever they type is a note, stamped when they began typing it, for the trial's timeline.
 *
 * Keys, on a terminal (stdin in raw mode, the panel drawn on stderr):
 * - outside a prompt, any printable key begins a note; Enter saves it, Esc drops it, Backspace and Ctrl-U edit it;
 * - at a prompt the keys decide, and n begins a note (so a sentence typed at a prompt never decides by accident:
 *   once a note is begun, every key goes into it until Enter or Esc);
 * - Ctrl-C is sent on as SIGINT: the run's ordinary signal path (stop, undo, reports ABORTED, exit 130).
 * When stderr is not a terminal (or CI=true), the output is plain appended lines and stdin is read line by line
 * as the terminal gives it (echoed by the terminal itself): at a prompt `g`, `s` or `a` then Enter decide and an
 * empty line is go; any other line is a note.
 */
import type { FaultPrompt, LiveTrial, Operator, OperatorDecision, OperatorNote } from '../../run/operator.js';
import { monotonicNow } from '../../util/clock.js';
import { liveLine, liveLines, noteEcho, noteLine, promptLines } from './render.js';
import { Screen, type ScreenStream } from './screen.js';

/** The keyboard: a TTY read in raw mode, or lines. */
export interface OperatorInput {
  readonly isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
  setEncoding(encoding: BufferEncoding): unknown;
  on(event: 'data', listener: (chunk: string | Buffer) => void): unknown;
  off(event: 'data', listener: (chunk: string | Buffer) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** What a TerminalOperator needs. */
export interface TerminalOperatorOptions {
  readonly input: OperatorInput;
  readonly output: ScreenStream;
  /** Draw the panel in place (a terminal); false: plain appended lines. */
  readonly live: boolean;
  /** The abort key: stop the run as a first Ctrl-C does. */
  readonly onAbort: () => void;
  /** Ctrl-C read in raw mode (the terminal no longer turns it into SIGINT): send the signal on. */
  readonly onInterrupt: () => void;
}

const REDRAW_MS = 200;

interface Pending {
  readonly prompt: FaultPrompt;
  readonly resolve: (decision: OperatorDecision) => void;
}

export class TerminalOperator implements Operator {
  private readonly screen: Screen | undefined;
  private readonly raw: boolean;
  private pending: Pending | undefined;
  private following: LiveTrial | undefined;
  private draft: { at: number; text: string } | null = null;
  private notes: OperatorNote[] = [];
  private lineBuffer = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly onData = (chunk: string | Buffer): void => this.read(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));

  constructor(private readonly options: TerminalOperatorOptions) {
    this.raw = options.live && options.input.isTTY === true && typeof options.input.setRawMode === 'function';
    if (this.raw) {
      options.input.setRawMode?.(true);
      this.screen = new Screen(options.output);
      this.timer = setInterval(() => this.redraw(), REDRAW_MS);
      this.timer.unref();
      this.redraw();
    }
    options.input.setEncoding('utf8');
    options.input.on('data', this.onData);
    options.input.resume();
  }

  beforeFault(prompt: FaultPrompt, abort?: AbortSignal): Promise<OperatorDecision> {
    if (abort?.aborted) return Promise.resolve('abort');
    return new Promise((resolve) => {
      const onAbort = (): void => this.decide('abort', false);
      abort?.addEventListener('abort', onAbort, { once: true });
      this.pending = {
        prompt,
        resolve: (decision) => {
          abort?.removeEventListener('abort', onAbort);
          resolve(decision);
        },
      };
      if (this.raw) {
        this.options.output.write('\x07');
        this.redraw();
      } else {
        for (const line of promptLines(prompt)) this.say(line);
        this.say(` answer g (go), s (skip this trial) or a (abort the run), then Enter; an empty line is go, any other line a note`);
      }
    });
  }

  follow(trial: LiveTrial): () => void {
    this.following = trial;
    let last = '';
    // Plain output: a line whenever what holds or fails changes, not on every evaluation.
    const unsubscribe = this.raw ? () => undefined : trial.subscribe(() => {
      if (this.pending) return;
      const state = trial.state();
      const key = `${trial.injectedAt() === null}|${state.holds}|${state.checks.filter((c) => !c.holds).map((c) => c.detail).join(';')}|${state.workloads.map((w) => w.ready).join(',')}`;
      if (key === last) return;
      last = key;
      this.say(liveLine(trial, state, monotonicNow()));
    });
    this.redraw();
    return () => {
      unsubscribe();
      if (this.following === trial) this.following = undefined;
      this.redraw();
    };
  }

  takeNotes(): OperatorNote[] {
    const notes = this.notes;
    this.notes = [];
    return notes;
  }

  /** Gives the terminal back: the panel erased, raw mode off, stdin released. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.options.input.off('data', this.onData);
    if (this.raw) this.options.input.setRawMode?.(false);
    this.options.input.pause();
    this.screen?.close();
    // A prompt still open (the run ended another way) must not keep anything waiting.
    this.pending?.resolve('abort');
    this.pending = undefined;
  }

  private say(line: string): void {
    this.options.output.write(`${line}\n`);
  }

  private redraw(): void {
    if (!this.screen) return;
    const lines: string[] = [];
    if (this.pending) lines.push(...promptLines(this.pending.prompt));
    else if (this.following) lines.push(...liveLines(this.following, this.following.state(), monotonicNow()));
    lines.push(noteLine(this.draft?.text ?? null, this.pending !== undefined));
    this.screen.show(lines);
  }

  private decide(decision: OperatorDecision, byKey: boolean): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    const { prompt } = pending;
    const what = decision === 'go' ? `go: ${prompt.fault.summary}` : decision === 'skip' ? 'skip this trial (nothing hit)' : 'abort the run';
    if (byKey) this.say(`    trial ${prompt.trial}: operator: ${what}`);
    // The abort key stops the run the way Ctrl-C does; an abort that came from a signal is under way already.
    if (decision === 'abort' && byKey) this.options.onAbort();
    pending.resolve(decision);
    this.redraw();
  }

  private saveNote(at: number, text: string): void {
    const trimmed = text.trim();
    if (trimmed === '') return;
    this.notes.push({ at, text: trimmed });
    const trial = this.following;
    this.say(noteEcho(
      trimmed,
      { wall: new Date(Date.now() - (monotonicNow() - at)), trial: trial?.trial ?? null, sinceT0Ms: trial ? at - trial.t0 : null },
    ));
  }

  private read(chunk: string): void {
    if (this.raw) this.readKeys(chunk);
    else this.readLines(chunk);
    this.redraw();
  }

  private readLines(chunk: string): void {
    this.lineBuffer += chunk;
    const lines = this.lineBuffer.split(/\r?\n/);
    this.lineBuffer = lines.pop() ?? '';
    for (const line of lines) {
      const answer = line.trim().toLowerCase();
      if (this.pending && (answer === '' || answer === 'g' || answer === 'go')) this.decide('go', true);
      else if (this.pending && (answer === 's' || answer === 'skip')) this.decide('skip', true);
      else if (this.pending && (answer === 'a' || answer === 'abort')) this.decide('abort', true);
      else this.saveNote(monotonicNow(), line);
    }
  }

  private readKeys(chunk: string): void {
    // An escape sequence (an arrow key, a function key) is not text.
    if (chunk.length > 1 && chunk.startsWith('\x1b')) return;
    for (const key of chunk) {
      if (key === '\x03') {
        this.options.onInterrupt();
        continue;
      }
      if (this.draft !== null) {
        if (key === '\r' || key === '\n') {
          this.saveNote(this.draft.at, this.draft.text);
          this.draft = null;
        } else if (key === '\x1b') this.draft = null;
        else if (key === '\x7f' || key === '\b') this.draft.text = this.draft.text.slice(0, -1);
        else if (key === '\x15') this.draft.text = '';
        else if (key >= ' ') this.draft.text += key;
        continue;
      }
      if (this.pending) {
        const lower = key.toLowerCase();
        if (lower === 'g' || key === '\r' || key === '\n') this.decide('go', true);
        else if (lower === 's') this.decide('skip', true);
        else if (lower === 'a') this.decide('abort', true);
        else if (lower === 'n') this.draft = { at: monotonicNow(), text: '' };
        continue;
      }
      if (key >= ' ' && key !== '\x7f') this.draft = { at: monotonicNow(), text: key };
    }
  }
}
