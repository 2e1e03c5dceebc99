/** `--rebound-cpu`: the cluster's processes kept off rebound's CPU, agents that rebound starts again included. */
import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { allowedCpus, ClusterPin, parseCpuList, pinAway, PIN_EVERY_MS } from '../../../bench/fidelity/cpu-pin.js';
import { sleep } from '../../../harness/util/sleep.js';

describe('bench --rebound-cpu: CPU lists', () => {
  it('reads a CPU list as the kernel writes one, and refuses anything else', () => {
    expect(parseCpuList('0-2,4\n')).to.deep.equal([0, 1, 2, 4]);
    expect(parseCpuList('1')).to.deep.equal([1]);
    expect(() => parseCpuList('2-1')).to.throw('not a CPU list: 2-1');
    expect(() => parseCpuList('a')).to.throw('not a CPU list: a');
  });
});

describe('bench --rebound-cpu: pinning (taskset, on this machine\'s CPUs)', function () {
  this.timeout(20_000);
  const children: ChildProcess[] = [];
  const savedHome = process.env.REBOUND_HOME;
  let home: string;
  // rebound's CPU: the last one; the cluster's: the others.
  const cpu = cpus().length - 1;
  const others = cpus().map((_, i) => i).filter((i) => i !== cpu);

  before(function () {
    if (cpus().length < 2 || spawnSync('taskset', ['--version']).status !== 0) {
      console.warn('\n  WARNING: --rebound-cpu is NOT tested here: it needs taskset (util-linux) and more than one CPU\n');
      this.skip();
    }
  });
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'rebound-pin-'));
    process.env.REBOUND_HOME = home;
  });
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    if (savedHome === undefined) delete process.env.REBOUND_HOME;
    else process.env.REBOUND_HOME = savedHome;
    rmSync(home, { recursive: true, force: true });
  });

  /** A process on rebound's CPU alone, started as `taskset -c` starts rebound; its pid. */
  function onReboundCpu(): number {
    const child = spawn('taskset', ['-c', String(cpu), 'sleep', '30'], { stdio: 'ignore' });
    children.push(child);
    if (child.pid === undefined) throw new Error('could not start sleep');
    return child.pid;
  }

  /** A cluster state as `cluster up` writes one, with these pids for a control-plane component and a node agent. */
  function writeCluster(component: number, agent: number): void {
    const spec = { binary: 'sleep', args: ['30'], log: '/dev/null' };
    mkdirSync(join(home, 'clusters', 'pin'), { recursive: true });
    writeFileSync(join(home, 'clusters', 'pin', 'cluster.json'), JSON.stringify({
      name: 'pin', components: [{ name: 'etcd', spec, pid: component }],
      nodes: [{ name: 'node-1', podCidr: '10.0.1.0/24', ip: '10.0.0.1', agent: { name: 'agent', spec, pid: agent } }],
    }));
  }

  it('a child of a process pinned to one CPU is pinned to it too: why an agent rebound starts again needs pinning', async () => {
    const shell = spawn('taskset', ['-c', String(cpu), 'sh', '-c', 'sleep 30 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(shell);
    const grandchild = await new Promise<number>((resolve) => shell.stdout?.once('data', (chunk: Buffer) => { resolve(Number(String(chunk).trim())); }));
    expect(allowedCpus(grandchild)).to.deep.equal([cpu]);
    process.kill(grandchild, 'SIGKILL');
  });

  it('moves every thread of a process that may run on the CPU to the others, once, and passes over one that is gone', async () => {
    const pid = onReboundCpu();
    expect(pinAway([pid], cpu, others.join(','))).to.deep.equal([pid]);
    expect(allowedCpus(pid)).to.deep.equal(others);
    expect(pinAway([pid], cpu, others.join(','))).to.deep.equal([]);
    const child = children[0];
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child?.kill('SIGKILL');
    await exited;
    expect(allowedCpus(pid)).to.equal(undefined);
    expect(pinAway([pid], cpu, others.join(','))).to.deep.equal([]);
  });

  it('pins the cluster\'s processes, and while it watches, an agent the cluster\'s state names anew on rebound\'s CPU', async () => {
    const [component, agent] = [onReboundCpu(), onReboundCpu()];
    writeCluster(component, agent);
    const pin = new ClusterPin('pin', cpu);
    expect(pin.pin()).to.deep.equal({ pids: [component, agent], moved: [component, agent] });
    const stop = pin.watch();
    // A node-stop trial's revert: rebound (on its CPU) starts the agent again and writes its pid to the state.
    const restarted = onReboundCpu();
    writeCluster(component, restarted);
    await sleep(4 * PIN_EVERY_MS);
    expect(allowedCpus(restarted)).to.deep.equal(others);
    expect(stop()).to.deep.equal([restarted]);
    expect([component, agent].map(allowedCpus)).to.deep.equal([others, others]);
  });

  it('says a cluster without state cannot be pinned, and gives the first failure of a watch when it stops', async () => {
    expect(() => new ClusterPin('none', cpu).pin()).to.throw('cluster none has no state to pin');
    const stop = new ClusterPin('none', cpu).watch();
    await sleep(2 * PIN_EVERY_MS);
    expect(stop).to.throw('cluster none has no state to pin');
  });
});
