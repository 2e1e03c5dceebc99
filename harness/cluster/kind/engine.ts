import { ClusterError, UsageError } from '../../errors.js';
import { lastLines, runCommand, type CommandResult } from '../../util/command.js';

/** The container engines the kind provider knows. */
export type ContainerRuntime = 'docker' | 'podman';

/**
 * The container engine under a kind cluster. Only Docker is supported for now: the node image is built with
 * Docker's commands, and the faults act through them. Podman is detected so that its users get a clear answer.
 */
export class ContainerEngine {
  private constructor(readonly runtime: ContainerRuntime, readonly version: string) {}

  /** The engine asked for, or the one that answers (Docker first). Throws a ClusterError naming the fix. */
  static async detect(wanted?: ContainerRuntime): Promise<ContainerEngine> {
    if (wanted === 'podman') {
      throw new UsageError('--container-runtime podman is not supported yet: rebound builds its kind node image and injects node faults with Docker; use --container-runtime docker.');
    }
    const docker = await probe('docker', ['info', '--format', '{{.ServerVersion}}']);
    if (docker) return new ContainerEngine('docker', docker);
    const podman = wanted === undefined ? await probe('podman', ['info', '--format', '{{.Version.Version}}']) : undefined;
    if (podman) {
      throw new ClusterError(`only podman ${podman} answers here; the kind provider needs a Docker engine (podman support is not built yet). Run \`npm run setup:kind\` to install and start one.`);
    }
    throw new ClusterError('no Docker engine answers (`docker info` failed); run `npm run setup:kind` to install and start one, or start dockerd.');
  }

  /** Runs the engine's CLI; a non-zero exit is a ClusterError with the command's last lines. */
  async run(args: readonly string[], options: { input?: string; timeoutMs?: number; allowFailure?: boolean } = {}): Promise<CommandResult> {
    const result = await runCommand(this.runtime, args, { input: options.input, timeoutMs: options.timeoutMs ?? 120_000 })
      .catch((error: Error) => {
        throw new ClusterError(`could not run ${this.runtime}: ${error.message}`);
      });
    if (result.code !== 0 && !options.allowFailure) {
      throw new ClusterError(`\`${this.runtime} ${args.join(' ')}\` failed (exit code ${result.code}):`, lastLines(`${result.stdout}\n${result.stderr}`));
    }
    return result;
  }

  /** Names of the containers carrying a label (running or not). */
  async containersLabelled(label: string): Promise<string[]> {
    const { stdout } = await this.run(['ps', '-a', '--filter', `label=${label}`, '--format', '{{.Names}}']);
    return stdout.split('\n').map((line) => line.trim()).filter((line) => line !== '').sort();
  }

  /** The state of a container ("running", "exited", "paused"...), or undefined when there is none. */
  async containerState(name: string): Promise<string | undefined> {
    const result = await this.run(['inspect', '--format', '{{.State.Status}}', name], { allowFailure: true });
    return result.code === 0 ? result.stdout.trim() : undefined;
  }

  async networkExists(name: string): Promise<boolean> {
    return (await this.run(['network', 'inspect', name], { allowFailure: true })).code === 0;
  }

  async imageExists(name: string): Promise<boolean> {
    return (await this.run(['image', 'inspect', name], { allowFailure: true })).code === 0;
  }
}

async function probe(command: string, args: string[]): Promise<string | undefined> {
  try {
    const result = await runCommand(command, args, { timeoutMs: 15_000 });
    return result.code === 0 ? result.stdout.trim().split('\n')[0] : undefined;
  } catch {
    return undefined;
  }
}
