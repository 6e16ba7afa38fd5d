import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusedAddress } from '../../src/fetch/address-guard.js';
import { closeServer } from '../support/setup.js';
import { FetchError, safeFetch, type FetchOptions } from '../../src/fetch/safe-fetch.js';

describe('which addresses a link may reach', () => {
  it.each([
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.251', 'multicast'],
    ['192.0.2.10', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fe80::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::a00:1', 'rfc6052'],
    ['2002:a00:1::', '6to4'],
    ['2001:db8::1', 'reserved'],
  ])('refuses %s (%s)', (address, kind) => {
    expect(refusedAddress(address)).toContain(kind);
  });

  it.each(['8.8.8.8', '1.1.1.1', '93.184.215.14', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) => {
    expect(refusedAddress(address)).toBeNull();
  });

  it('refuses what is not an address', () => {
    expect(refusedAddress('localhost')).toBe('not an IP address');
  });
});

describe('fetching a page from a link', () => {
  let server: http.Server;
  let port: number;
  const connected: string[] = [];
  const resolved: string[] = [];
  // Test names: pages.test is the local server (allowed by name, as FETCH_ALLOW_HOSTS would),
  // evil.test and meta.test resolve to addresses the guard must refuse before any connection.
  const names: Record<string, string[]> = {
    'pages.test': ['127.0.0.1'],
    'evil.test': ['10.0.0.1'],
    'meta.test': ['169.254.169.254'],
    'mixed.test': ['8.8.8.8', '192.168.0.1'],
    localhost: ['127.0.0.1', '::1'],
  };
  const options = (more: Partial<FetchOptions> = {}): FetchOptions => ({
    maxBytes: 10_000,
    accept: ['text/html', 'text/plain'],
    allowHosts: ['pages.test'],
    resolve: async (host) => {
      resolved.push(host);
      const addresses = names[host];
      if (!addresses) throw new Error(`no test name ${host}`);
      return addresses;
    },
    // The connect layer: a test fails if anything but loopback is ever connected to.
    onConnect: (address) => {
      if (address !== '127.0.0.1' && address !== '::1') throw new Error(`connected to ${address}`);
      connected.push(address);
    },
    connectTimeoutMs: 2_000,
    timeoutMs: 2_000,
    ...more,
  });
  const url = (path: string, host = 'pages.test'): string => `http://${host}:${port}${path}`;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const path = req.url ?? '/';
      const hop = path.match(/^\/hops\/(\d+)$/);
      if (path === '/page') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<html><title>A page</title><body><p>Host ${req.headers.host}</p></body></html>`);
      } else if (hop) {
        const n = Number(hop[1]);
        if (n === 0) {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('arrived');
        } else {
          res.writeHead(302, { location: `/hops/${n - 1}` });
          res.end();
        }
      } else if (path === '/to-private') {
        res.writeHead(301, { location: `http://evil.test:${port}/page` });
        res.end();
      } else if (path === '/to-file') {
        res.writeHead(302, { location: 'file:///etc/passwd' });
        res.end();
      } else if (path === '/image') {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(Buffer.alloc(10));
      } else if (path === '/untyped') {
        res.writeHead(200);
        res.end('text');
      } else if (path === '/big-declared') {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '20000' });
        res.end('x'.repeat(20_000));
      } else if (path === '/big-streamed') {
        // No length given, and more bytes than the cap: cut off while it streams.
        res.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = 'y'.repeat(4_000);
        let sent = 0;
        const more = (): void => {
          if (sent++ >= 50 || res.destroyed) return void res.end();
          res.write(chunk, more);
        };
        more();
      } else if (path === '/slow') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('starts, then never ends');
      } else if (path === '/late') {
        // Answers well after the connect timeout the test sets, on a connection made before.
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('late');
        }, 600);
      } else if (path === '/missing') {
        res.writeHead(404, 'Not Found');
        res.end();
      } else if (path === '/missing-worded') {
        res.writeHead(404, 'Gone, see [here](https://phish.example)');
        res.end();
      } else if (path === '/hang-up') {
        req.socket.destroy();
      } else {
        res.writeHead(500);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await closeServer(server);
    expect(connected.every((a) => a === '127.0.0.1' || a === '::1')).toBe(true);
  });

  it('fetches a page, connecting to the address it checked and naming the host in the request', async () => {
    resolved.length = 0;
    const page = await safeFetch(url('/page'), options());
    expect(page).toMatchObject({ url: url('/page'), contentType: 'text/html', charset: 'utf-8' });
    expect(page.body.toString()).toContain(`Host pages.test:${port}`);
    // One lookup per hop: the connection goes to that answer, so a second answer cannot switch it.
    expect(resolved).toEqual(['pages.test']);
  });

  it('reuses a kept-alive connection without waiting for it to connect again or adding listeners to it', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      // Twelve requests in turn go over one kept-alive connection: one more than the listeners
      // Node lets pile up on it before it warns.
      for (let i = 0; i < 12; i++) expect((await safeFetch(url('/page'), options())).body.length).toBeGreaterThan(0);
      // The connection is up already: only the whole fetch's time limit applies to the answer.
      const late = await safeFetch(url('/late'), options({ connectTimeoutMs: 200, timeoutMs: 5_000 }));
      expect(late.body.toString()).toBe('late');
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('tries the next checked address when one cannot be reached', async () => {
    // Nothing listens on ::1 at the server's port: the connection is refused, and 127.0.0.1 answers.
    const twoAddresses = options({
      resolve: async () => ['::1', '127.0.0.1'],
      onConnect: (address) => void connected.push(address),
    });
    const before = connected.length;
    expect((await safeFetch(url('/hops/0'), twoAddresses)).body.toString()).toBe('arrived');
    expect(connected.slice(before)).toEqual(['::1', '127.0.0.1']);
  });

  it('follows up to five redirects, checking each, and refuses a sixth', async () => {
    expect((await safeFetch(url('/hops/5'), options())).body.toString()).toBe('arrived');
    await expect(safeFetch(url('/hops/6'), options())).rejects.toMatchObject({
      code: 'fetch.too-many-redirects',
      details: { max: 5 },
    });
  });

  it('refuses a redirect to a private address before connecting to it', async () => {
    const before = connected.length;
    await expect(safeFetch(url('/to-private'), options())).rejects.toMatchObject({
      code: 'fetch.refused',
      details: { host: 'evil.test', address: 'a private-network address' },
    });
    expect(connected.length).toBe(before + 1);
  });

  it('refuses a redirect to another scheme', async () => {
    await expect(safeFetch(url('/to-file'), options())).rejects.toMatchObject({ code: 'fetch.scheme' });
  });

  it.each([
    ['ftp://pages.test/file.txt', { code: 'fetch.scheme', details: { scheme: 'ftp' } }],
    ['file:///etc/passwd', { code: 'fetch.scheme', details: { scheme: 'file' } }],
    ['javascript:alert(1)', { code: 'fetch.scheme', details: { scheme: 'javascript' } }],
    ['not a url', { code: 'fetch.not-a-url', details: { text: 'not a url' } }],
    ['http://user:secret@pages.test/page', { code: 'fetch.credentials' }],
  ])('refuses %s', async (link, failure) => {
    await expect(safeFetch(link, options())).rejects.toMatchObject(failure);
  });

  it.each([
    ['http://evil.test/', 'a private-network address'],
    ['http://meta.test/latest/meta-data/', 'a link-local address'],
    ['http://mixed.test/', 'a private-network address'],
  ])('refuses %s, whose name leads to a refused address, without connecting', async (link, address) => {
    const before = connected.length;
    await expect(safeFetch(link, options())).rejects.toMatchObject({ code: 'fetch.refused', details: { address } });
    expect(connected.length).toBe(before);
  });

  it.each(['127.0.0.1', '127.1', '0x7f000001', '2130706433', '[::1]', '[::ffff:127.0.0.1]', 'localhost'])(
    'refuses loopback written as %s when the host is not allowed',
    async (host) => {
      const before = connected.length;
      await expect(safeFetch(url('/page', host), options({ allowHosts: [] }))).rejects.toMatchObject({
        code: 'fetch.refused',
        details: { address: 'a loopback (this machine) address' },
      });
      expect(connected.length).toBe(before);
    },
  );

  it('refuses content that is not a web page or text', async () => {
    await expect(safeFetch(url('/image'), options())).rejects.toMatchObject({
      code: 'fetch.wrong-type',
      details: { expected: 'page', contentType: 'image/png' },
    });
    await expect(safeFetch(url('/untyped'), options())).rejects.toMatchObject({
      code: 'fetch.wrong-type',
      details: { expected: 'page', contentType: null },
    });
  });

  it('refuses a body over the size cap, declared or while it streams', async () => {
    for (const page of ['/big-declared', '/big-streamed']) {
      await expect(safeFetch(url(page), options())).rejects.toMatchObject({ code: 'fetch.too-large' });
    }
  });

  it('gives up on a page that does not finish in time', async () => {
    await expect(safeFetch(url('/slow'), options({ timeoutMs: 300 }))).rejects.toMatchObject({ code: 'fetch.timeout' });
  });

  it('ends a fetch when its caller’s signal aborts, with the signal’s reason, and starts none once it has', async () => {
    const caller = new AbortController();
    const reason = new Error('past the feed’s deadline');
    const fetching = safeFetch(url('/slow'), options({ signal: caller.signal, connectTimeoutMs: 60_000 }));
    caller.abort(reason);
    await expect(fetching).rejects.toBe(reason);
    await expect(safeFetch(url('/page'), options({ signal: caller.signal }))).rejects.toBe(reason);
  });

  it('says what the server answered when it is not the page, by the standard name of its status', async () => {
    const error = await safeFetch(url('/missing'), options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FetchError);
    const notFound = { code: 'fetch.status', details: { status: 404, statusText: 'Not Found' } };
    expect(error).toMatchObject(notFound);
    await expect(safeFetch(url('/missing-worded'), options())).rejects.toMatchObject(notFound);
  });

  it('says what kind of problem a connection had, keeping the system message as the cause for the log', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const failure = async (link: string): Promise<FetchError> =>
      (await safeFetch(link, options()).catch((e: unknown) => e)) as FetchError;

    const refused = await failure(`http://pages.test:${closedPort}/page`);
    expect(refused).toMatchObject({ code: 'fetch.failed', details: { problem: 'refused' } });
    expect((refused.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    // TLS spoken to a plain-HTTP server: OpenSSL's message names its own source files.
    const notTls = await failure(`https://pages.test:${port}/page`);
    expect(notTls).toMatchObject({ code: 'fetch.failed', details: { problem: 'no-secure-connection' } });
    expect(String((notTls.cause as Error).message)).toMatch(/ssl|SSL/);
    expect(await failure(url('/hang-up'))).toMatchObject({ code: 'fetch.failed', details: { problem: 'closed' } });
  });
});
