// Fetching a page a person linked to, without letting the link reach anything but the public web: checked
// addresses (connected to as checked), few redirects, timeouts, a size cap while reading, and text content only.
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { UserError } from '../core/errors.js';
import { refusedAddress } from './address-guard.js';

/** A fetch that was refused or failed, with a reason the person who gave the link can read. */
export class FetchError extends UserError {
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
  /** What `accept` stands for, in a refusal: "a web page or text" unless said. */
  expected?: string;
  /** More request headers (a feed's If-None-Match and If-Modified-Since). */
  headers?: Record<string, string>;
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
  const deadline = AbortSignal.timeout(timeoutMs);
  let current = parseUrl(url);
  for (let redirects = 0; ; redirects++) {
    const response = await requestAny(current, await checkedAddresses(current, options), options, deadline, timeoutMs);
    if ('fetched' in response) return response.fetched;
    if (redirects >= (options.maxRedirects ?? 5)) {
      throw new FetchError(`The link redirects more than ${options.maxRedirects ?? 5} times; nothing was added.`);
    }
    current = parseUrl(response.redirect, current);
  }
}

function parseUrl(text: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    throw new FetchError(`“${text.slice(0, 200)}” is not a web address (it should start with https://).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchError(`Only http and https links can be added, not ${url.protocol.replace(/:$/, '')}.`);
  }
  if (url.username || url.password) throw new FetchError('Links with a user name or password are not fetched.');
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
      throw new FetchError(`The host ${host} could not be found.`);
    }
    if (!addresses.length) throw new FetchError(`The host ${host} could not be found.`);
  }
  if (!allowed) {
    // All of them: a name with one public and one private address could be answered by either.
    for (const address of addresses) {
      const refused = refusedAddress(address);
      if (refused) throw new FetchError(`${host} is ${refused}; only public web pages can be added.`);
    }
  }
  return addresses;
}

/** A connection that could not be made (refused, unreachable, timed out): the next address may answer. */
class ConnectFailed extends FetchError {
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
      () => fail(new ConnectFailed(`${url.hostname} did not answer in time; nothing was added.`)),
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
      if (deadline.aborted) {
        reject(new FetchError(`The page took longer than ${Math.round(timeoutMs / 1000)} s; nothing was added.`));
      } else if (error instanceof FetchError) reject(error);
      else {
        const Failure = connected ? FetchError : ConnectFailed;
        // The person who sent the link reads this: plain words, and the system's own message (an
        // OpenSSL source path, an address) only for the operator's log, as its cause.
        reject(new Failure(`The page could not be fetched: ${failureReason(error)}.`, { cause: error }));
      }
    });
    req.on('response', (res) => {
      clearTimeout(connectTimer);
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
        const name = http.STATUS_CODES[status];
        return fail(new FetchError(`The page answered ${status}${name ? ` ${name}` : ''}.`));
      }
      const [type = '', ...parameters] = (res.headers['content-type'] ?? '').split(';');
      const contentType = type.trim().toLowerCase();
      if (options.accept && !options.accept.includes(contentType)) {
        res.resume();
        const expected = options.expected ?? 'a web page or text';
        const what = contentType ? `not ${expected} (it is ${contentType})` : `not labelled as ${expected}`;
        return fail(new FetchError(`That link is ${what}; nothing was added.`));
      }
      const charset =
        parameters
          .map((p) => p.trim().match(/^charset\s*=\s*"?([^";]+)"?$/i)?.[1])
          .find(Boolean)
          ?.toLowerCase() ?? null;
      const tooLarge = (): FetchError =>
        new FetchError(`The page is larger than ${formatMb(options.maxBytes)} MB; nothing was added.`);
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > options.maxBytes) return fail(tooLarge());
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // Counted as it arrives: a server that sends more than it declared is cut off here.
        if (size > options.maxBytes) fail(tooLarge());
        else chunks.push(chunk);
      });
      res.on('end', () => {
        if (size <= options.maxBytes) {
          const body = Buffer.concat(chunks);
          resolve({ fetched: { url: url.href, contentType, charset, body, status: 200, ...validators } });
        }
      });
      res.on('error', (error) => req.emit('error', error));
    });
    req.end();
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
const REASONS: Record<string, string> = {
  ECONNREFUSED: 'the site refused the connection',
  ECONNRESET: 'the site closed the connection',
  EPIPE: 'the site closed the connection',
  ETIMEDOUT: 'the site did not answer in time',
  EHOSTUNREACH: 'the site cannot be reached from here',
  ENETUNREACH: 'the site cannot be reached from here',
  EPROTO: 'a secure connection could not be made',
};

function failureReason(error: NodeJS.ErrnoException): string {
  const code = error.code ?? '';
  if (code === 'CERT_HAS_EXPIRED') return 'its security certificate has expired';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'its security certificate is for another site';
  if (CERTIFICATE_CODES.has(code)) return 'its security certificate is not one this server can trust';
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return 'a secure connection could not be made';
  if (code.startsWith('HPE_')) return 'it did not answer as a web server does';
  return REASONS[code] ?? 'the connection failed';
}

function header(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

function formatMb(bytes: number): string {
  return String(Number((bytes / (1024 * 1024)).toPrecision(3)));
}
