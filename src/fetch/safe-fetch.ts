// Fetching a page a person linked to, without letting the link reach anything but the public web: checked
// addresses (connected to as checked), few redirects, timeouts, a size cap while reading, and text content only.
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { UserError, type ConnectionProblem, type ErrorCode } from '../core/errors.js';
import { refusedAddress } from './address-guard.js';

type FetchCode = Extract<ErrorCode, `fetch.${string}`>;

/** A fetch that was refused or failed: a code, and the data for saying why to the person who gave the link. */
export class FetchError<C extends FetchCode = FetchCode> extends UserError<C> {
  override name = 'FetchError';
}

export interface FetchOptions {
  /** Bodies larger than this are refused, counted while they arrive. */
  maxBytes: number;
  /** Content types accepted (lower case, without parameters); null: any (a file judged by its name). */
  accept: readonly string[] | null;
  /** Host names (FETCH_ALLOW_HOSTS) whose addresses are not checked: an operator's own servers. */
  allowHosts?: readonly string[];
  /** A host name's addresses (default: the system resolver). */
  resolve?: (host: string) => Promise<string[]>;
  /** Called with each address just before connecting to it (tests watch it). */
  onConnect?: (address: string) => void;
  connectTimeoutMs?: number;
  /** The whole fetch, redirects included. */
  timeoutMs?: number;
  maxRedirects?: number;
  /** What `accept` stands for, in a refusal: a page (a web page or text) unless said. */
  expected?: 'page' | 'feed';
  /** More request headers (a feed's If-None-Match and If-Modified-Since). */
  headers?: Record<string, string>;
  /** Ends the fetch early, rejecting with the signal's reason (a feed's poll past its deadline). */
  signal?: AbortSignal;
}

export interface Fetched {
  /** Where the body came from, after redirects. */
  url: string;
  /** Lower case, without parameters. */
  contentType: string;
  /** The charset the response names, lower case, or null. */
  charset: string | null;
  body: Buffer;
  /** 304: not modified since the ETag or date the request named (the body is empty). */
  status: 200 | 304;
  etag: string | null;
  lastModified: string | null;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = 'Footnote/0.1 (a bot that answers with quotes from the articles it was given)';

/** GETs `url` for a person who gave it: see FetchOptions for what is refused. */
export async function safeFetch(url: string, options: FetchOptions): Promise<Fetched> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const deadline = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let current = parseUrl(url);
  for (let redirects = 0; ; redirects++) {
    options.signal?.throwIfAborted();
    const response = await requestAny(current, await checkedAddresses(current, options), options, deadline, timeoutMs);
    if ('fetched' in response) return response.fetched;
    if (redirects >= (options.maxRedirects ?? 5)) {
      throw new FetchError('fetch.too-many-redirects', { max: options.maxRedirects ?? 5 });
    }
    current = parseUrl(response.redirect, current);
  }
}

function parseUrl(text: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    throw new FetchError('fetch.not-a-url', { text });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchError('fetch.scheme', { scheme: url.protocol.replace(/:$/, '') });
  }
  if (url.username || url.password) throw new FetchError('fetch.credentials', {});
  return url;
}

/** The addresses to connect to for `url`: every address the name has must be public, unless the host is allowed. */
async function checkedAddresses(url: URL, options: FetchOptions): Promise<string[]> {
  // The URL parser has already turned 127.1, 0x7f000001 and 2130706433 into 127.0.0.1.
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const allowed = options.allowHosts?.includes(host) ?? false;
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await (options.resolve ?? systemResolve)(host);
    } catch {
      throw new FetchError('fetch.unknown-host', { host });
    }
    if (!addresses.length) throw new FetchError('fetch.unknown-host', { host });
  }
  if (!allowed) {
    // All of them: a name with one public and one private address could be answered by either.
    for (const address of addresses) {
      const refused = refusedAddress(address);
      if (refused) throw new FetchError('fetch.refused', { host, address: refused });
    }
  }
  return addresses;
}

/** A connection that could not be made (refused, unreachable, timed out): the next address may answer. */
class ConnectFailed extends FetchError<'fetch.connect-timeout' | 'fetch.failed'> {
  override name = 'ConnectFailed';
}

/** The request to each checked address in turn until one connects (an IPv6 one this machine cannot reach, say). */
async function requestAny(
  url: URL,
  addresses: string[],
  options: FetchOptions,
  deadline: AbortSignal,
  timeoutMs: number,
): Promise<Response> {
  for (const [i, address] of addresses.entries()) {
    try {
      return await request(url, address, options, deadline, timeoutMs);
    } catch (error) {
      if (!(error instanceof ConnectFailed) || i === addresses.length - 1) throw error;
    }
  }
  throw new Error('no address to connect to');
}

async function systemResolve(host: string): Promise<string[]> {
  return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
}

/** Where a redirect points, or the page. */
type Response = { redirect: string } | { fetched: Fetched };

function request(
  url: URL,
  address: string,
  options: FetchOptions,
  deadline: AbortSignal,
  timeoutMs: number,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error): void => {
      req.destroy();
      reject(error);
    };
    options.onConnect?.(address);
    const secure = url.protocol === 'https:';
    // Connecting to the address that was checked (not the name again) means a second DNS answer
    // cannot switch it; the name still goes in the Host header and, for TLS, in SNI and the
    // certificate check.
    const req = (secure ? https : http).request({
      host: address,
      port: url.port || (secure ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: {
        host: url.host,
        'user-agent': USER_AGENT,
        accept: options.accept?.join(', ') ?? '*/*',
        ...options.headers,
      },
      ...(secure && !isIP(url.hostname.replace(/^\[|\]$/g, '')) ? { servername: url.hostname } : {}),
      signal: deadline,
    });
    let connected = false;
    const connectTimer = setTimeout(
      () => fail(new ConnectFailed('fetch.connect-timeout', { host: url.hostname })),
      options.connectTimeoutMs ?? 10_000,
    );
    req.on('socket', (socket) => {
      // A kept-alive socket that the agent hands out again is connected already: no connect event
      // will come, and listeners waiting for one would pile up on it request after request.
      if (!socket.connecting) {
        connected = true;
        clearTimeout(connectTimer);
        return;
      }
      socket.once('connect', () => (connected = true));
      socket.once(secure ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
    });
    req.on('error', (error) => {
      clearTimeout(connectTimer);
      if (options.signal?.aborted) reject(reasonOf(options.signal));
      else if (deadline.aborted) {
        reject(new FetchError('fetch.timeout', { seconds: Math.round(timeoutMs / 1000) }));
      } else if (error instanceof FetchError) reject(error);
      else {
        const Failure = connected ? FetchError : ConnectFailed;
        // The person who sent the link is told the kind of problem; the system's own message (an
        // OpenSSL source path, an address) is only for the operator's log, as its cause.
        reject(new Failure('fetch.failed', { problem: connectionProblem(error) }, { cause: error }));
      }
    });
    req.on('response', (res) => {
      clearTimeout(connectTimer);
      res.on('error', (error) => req.emit('error', error));
      readResponse(res, url, options).then(resolve, fail);
    });
    req.end();
  });
}

/** Why the caller's signal ended the fetch. */
function reasonOf(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(String(reason));
}

/** The response read: a redirect, or the page within the size limit; rejected with why not (the caller ends it). */
function readResponse(res: http.IncomingMessage, url: URL, options: FetchOptions): Promise<Response> {
  return new Promise((resolve, reject) => {
    const status = res.statusCode ?? 0;
    if (REDIRECTS.has(status) && res.headers.location) {
      res.resume();
      resolve({ redirect: res.headers.location });
      return;
    }
    const validators = {
      etag: header(res.headers.etag),
      lastModified: header(res.headers['last-modified']),
    };
    if (status === 304) {
      res.resume();
      const body = Buffer.alloc(0);
      resolve({ fetched: { url: url.href, contentType: '', charset: null, body, status, ...validators } });
      return;
    }
    if (status < 200 || status >= 300) {
      res.resume();
      // The status's standard name, not the server's own text, which could say anything.
      return reject(new FetchError('fetch.status', { status, statusText: http.STATUS_CODES[status] ?? null }));
    }
    const [type = '', ...parameters] = (res.headers['content-type'] ?? '').split(';');
    const contentType = type.trim().toLowerCase();
    if (options.accept && !options.accept.includes(contentType)) {
      res.resume();
      const expected = options.expected ?? 'page';
      return reject(new FetchError('fetch.wrong-type', { expected, contentType: contentType || null }));
    }
    const charset =
      parameters
        .map((p) => p.trim().match(/^charset\s*=\s*"?([^";]+)"?$/i)?.[1])
        .find(Boolean)
        ?.toLowerCase() ?? null;
    const tooLarge = (): FetchError => new FetchError('fetch.too-large', { maxMb: megabytes(options.maxBytes) });
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > options.maxBytes) return reject(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Counted as it arrives: a server that sends more than it declared is cut off here.
      if (size > options.maxBytes) reject(tooLarge());
      else chunks.push(chunk);
    });
    res.on('end', () => {
      if (size <= options.maxBytes) {
        const body = Buffer.concat(chunks);
        resolve({ fetched: { url: url.href, contentType, charset, body, status: 200, ...validators } });
      }
    });
  });
}

// Why a connection failed, for the person who sent the link, by the error's code.
const CERTIFICATE_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
]);
const PROBLEMS: Record<string, ConnectionProblem> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'closed',
  EPIPE: 'closed',
  ETIMEDOUT: 'timed-out',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EPROTO: 'no-secure-connection',
};

function connectionProblem(error: NodeJS.ErrnoException): ConnectionProblem {
  const code = error.code ?? '';
  if (code === 'CERT_HAS_EXPIRED') return 'certificate-expired';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'certificate-other-site';
  if (CERTIFICATE_CODES.has(code)) return 'certificate-untrusted';
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return 'no-secure-connection';
  if (code.startsWith('HPE_')) return 'not-a-web-server';
  return PROBLEMS[code] ?? 'other';
}

function header(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/** A size in MB to three significant figures, as a limit is stated. */
function megabytes(bytes: number): number {
  return Number((bytes / (1024 * 1024)).toPrecision(3));
}
