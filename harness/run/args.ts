/** The options of the commands that run scenarios, as the command line gives them (harness/cli builds them). */
import type { ProviderKind } from '../cluster/provider.js';

/** The options of `rebound run`. */
export interface RunArgs {
  paths: string[];
  provider?: ProviderKind;
  cluster?: string;
  nodes?: number;
  failureDetection?: 'fast' | 'kubernetes';
  containerRuntime?: 'docker' | 'podman';
  kubeconfig?: string;
  context?: string;
  allowContext: string[];
  out?: string;
  trials?: number;
  seed?: number;
  var: string[];
  selector?: string;
  dryRun: boolean;
  keepCluster: boolean;
  logLevel: string;
  matrix?: string[];
  baseline?: string;
  updateBaseline?: boolean;
  maxRegression?: string;
  alpha?: number;
  reporter?: string[];
  k6?: string;
  clusterLedger?: boolean;
  interactive?: boolean;
}

/** The options of `rebound observe`. */
export interface ObserveArgs {
  scenario: string;
  namespace?: string;
  cluster?: string;
  kubeconfig?: string;
  context?: string;
  allowContext: string[];
  out?: string;
  trials?: number;
  duration?: string;
  var: string[];
  reporter?: string[];
  logLevel: string;
}
