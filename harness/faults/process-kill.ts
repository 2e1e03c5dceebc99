import { readFileSync, readdirSync } from 'node:fs';
import { commandLine } from '../util/command-line.js';
import { FaultError } from './errors.js';
import type { FaultHandler, FaultPlan, PlanContext, Target } from './fault.js';
import type { FaultParams } from '../scenario/schema.js';
import { summarizeTargets } from '../util/names.js';

type Params = FaultParams['processKill'];

/** Processes whose full command line matches `pattern`, as `pkill -f` would find them (never rebound itself). */
function byCommand(pattern: string): { pid: number; command: string }[] {
  const expression = new RegExp(pattern);
  const found: { pid: number; command: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid || pid === process.ppid) continue;
    const argv = commandLine(pid);
    if (!argv || argv.length === 0) continue;
    const command = argv.join(' ');
    if (expression.test(command)) found.push({ pid, command });
  }
  return found;
}

function targetsOf(context: PlanContext, params: Params): Target[] {
  if ('process' in params) {
    const pid = context.processes.pidOf(params.process);
    if (pid === undefined) throw new FaultError(`process ${params.process} is not running, so it cannot be killed`);
    return [{ kind: 'Process', name: params.process, uid: String(pid) }];
  }
  if ('pidFile' in params) {
    let text: string;
    try {
      text = readFileSync(params.pidFile, 'utf8').trim();
    } catch (error) {
      throw new FaultError(`pid file ${params.pidFile} cannot be read: ${(error as Error).message}`);
    }
    if (!/^\d+$/.test(text)) throw new FaultError(`pid file ${params.pidFile} does not hold a pid`);
    return [{ kind: 'Process', name: params.pidFile, uid: text }];
  }
  const found = byCommand(params.command);
  if (found.length === 0) throw new FaultError(`no process has a command line matching /${params.command}/`);
  return found.map(({ pid, command }) => ({ kind: 'Process', name: command.slice(0, 80), uid: String(pid) }));
}

/** processKill: sends a signal to a process on the harness's host: one of spec.processes, or by pid file or command. */
export const processKill: FaultHandler<'processKill'> = {
  kind: 'processKill',
  plan: async (context, params): Promise<FaultPlan> => {
    const targets = targetsOf(context, params);
    // Only a stopped process needs undoing; a killed one is brought back (or not) by its supervisor.
    const revertSteps = params.signal !== 'STOP' ? [] : targets.map((t) => ({ op: 'continueProcess' as const, pid: Number(t.uid), command: commandLine(Number(t.uid)) ?? [] }));
    return { targets, summary: `send SIG${params.signal} to ${summarizeTargets('processes', targets.map((t) => `${t.name} (pid ${t.uid})`))}`, revertSteps };
  },
  inject: async (context, params, plan) => {
    for (const target of plan.targets) {
      if ('process' in params) context.processes.noteKill(params.process, params.signal);
      try {
        process.kill(Number(target.uid), `SIG${params.signal}` as NodeJS.Signals);
      } catch (error) {
        throw new FaultError(`could not signal pid ${target.uid}: ${(error as Error).message}`);
      }
    }
    const ackAt = context.clock.now();
    context.acknowledged(ackAt);
    const stopped = params.signal === 'STOP' ? plan.targets.map((t) => Number(t.uid)) : [];
    return {
      plan, ackAt, done: Promise.resolve(undefined),
      // Only a stopped process needs undoing; a killed one is brought back (or not) by its supervisor.
      revert: async () => {
        for (const pid of stopped.splice(0)) {
          try { process.kill(pid, 'SIGCONT'); } catch { /* gone */ }
        }
      },
    };
  },
};
