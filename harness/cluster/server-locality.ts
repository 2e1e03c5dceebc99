import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

/** Whether an API server is on this machine, and in words why (or why not), for the guard's messages. */
export interface ServerLocality {
  readonly local: boolean;
  /** "on this machine (127.0.0.1)", "not on this machine (10.0.4.2)", "not a URL"... */
  readonly detail: string;
}

/** How long a name lookup may take before the server counts as not on this machine. */
const LOOKUP_TIMEOUT_MS = 2000;

/**
 * Interfaces whose whole subnet is on this machine: the bridges of container engines, whose containers (a kind
 * node, say) have addresses of their own. Any other interface counts by its own address only: a subnet on eth0 is
 * a LAN with other machines in it.
 */
const CONTAINER_BRIDGE = /^(docker\d*|br-[0-9a-f]{6,}|podman\d*|cni\d*|cni-podman\d*|virbr\d*)$/;

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
}

function inIpv4Subnet(address: string, info: NetworkInterfaceInfo): boolean {
  if (info.family !== 'IPv4' || isIP(address) !== 4) return false;
  const bits = Number(info.cidr?.split('/')[1] ?? 32);
  const size = 2 ** (32 - bits);
  return Math.floor(ipv4ToNumber(address) / size) === Math.floor(ipv4ToNumber(info.address) / size);
}

/** `::ffff:127.0.0.1` is 127.0.0.1. */
function unmapped(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address.toLowerCase();
}

/** An address is this machine's: loopback, one of its interfaces' addresses, or in one of its container bridges. */
function isLocalAddress(raw: string): boolean {
  const address = unmapped(raw);
  if (isIP(address) === 4 && address.startsWith('127.')) return true;
  if (address === '::1') return true;
  for (const [name, infos] of Object.entries(networkInterfaces())) {
    for (const info of infos ?? []) {
      if (unmapped(info.address) === address) return true;
      if (CONTAINER_BRIDGE.test(name) && inIpv4Subnet(address, info)) return true;
    }
  }
  return false;
}

async function addressesOf(host: string): Promise<string[]> {
  if (isIP(host) !== 0) return [host];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${LOOKUP_TIMEOUT_MS} ms`)), LOOKUP_TIMEOUT_MS);
  });
  try {
    const found = await Promise.race([lookup(host, { all: true }), timeout]);
    return found.map((entry) => entry.address);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Where a kube context's server is: on this machine when its host is a loopback address, `localhost`, an address of
 * one of this machine's interfaces or of a container on one of its bridges (a name counts only when every address
 * it resolves to does). Nothing is sent to the server: only its name is looked up.
 */
export async function serverLocality(server: string | undefined): Promise<ServerLocality> {
  if (server === undefined || server.trim() === '') return { local: false, detail: 'not given (the context\'s cluster has no server)' };
  let host: string;
  try {
    host = new URL(server).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return { local: false, detail: `not a URL (${server})` };
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return { local: true, detail: `on this machine (${host})` };
  let addresses: string[];
  try {
    addresses = await addressesOf(host);
  } catch (error) {
    return { local: false, detail: `not known to be on this machine (${host} cannot be resolved: ${error instanceof Error ? error.message : String(error)})` };
  }
  const away = addresses.filter((address) => !isLocalAddress(address));
  if (addresses.length > 0 && away.length === 0) return { local: true, detail: `on this machine (${addresses.join(', ')})` };
  return { local: false, detail: `not on this machine (${host === away[0] ? host : `${host} is ${away.join(', ')}`})` };
}
