// serveDenoTcp and two rules of HTTP/1.1 that clients rely on: a request names exactly one Host
// (400 otherwise; HTTP/1.0 may leave it out), and a client that sends `Expect: 100-continue`
// gets `100 Continue` before it sends its body, once the body is accepted (a body refused for
// its length gets the refusal only; an expectation other than 100-continue gets 417). Empty
// lines before the request line are ignored, control characters in its target refused. Deno
// only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { exchange } from "../testing/raw_exchange.ts";
import { RawHttpPeer } from "../testing/raw_http_peer.ts";
import { until } from "../testing/until.ts";
import { withDenoTcpServer } from "../testing/deno_tcp_server.ts";

const skip = !("Deno" in globalThis && !("Bun" in globalThis)) && "Deno only";

/** Answers with the request's URL and body. */
const fallback = async (request: Request) =>
  new Response(`${request.url} got ${await request.text()}`);

test("an HTTP/1.1 request without one Host gets 400; HTTP/1.0 may leave it out", {
  skip,
}, async () => {
  await withDenoTcpServer({ path: "/ws", fallback }, async ({ port }) => {
    for (const head of ["", "Host: a\r\nHost: b\r\n", "host: a\r\nHOST: a\r\n"]) {
      for (const target of ["/page", "/ws"]) {
        const answer = await exchange(port, `GET ${target} HTTP/1.1\r\n${head}\r\n`);
        assert.match(answer, /^HTTP\/1\.1 400 [^]*one Host header field needed\n$/, head);
      }
    }
    const old = await exchange(port, "GET /page HTTP/1.0\r\n\r\n");
    assert.match(old, /^HTTP\/1\.1 200 [^]*\r\n\r\nhttp:\/\/localhost\/page got $/);
    const named = await exchange(port, "GET /page HTTP/1.1\r\nHost: app.local\r\n\r\n");
    assert.match(named, /\r\n\r\nhttp:\/\/app\.local\/page got $/);
  });
});

test("Expect: 100-continue gets 100 Continue before the body, only when the body is accepted", {
  skip,
}, async () => {
  await withDenoTcpServer({ path: "/ws", fallback }, async ({ port }) => {
    for (const framing of ["Content-Length: 5\r\n", "Transfer-Encoding: chunked\r\n"]) {
      const peer = await RawHttpPeer.connect(port);
      try {
        peer.write(`POST /form HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\n${framing}\r\n`);
        await until(() => peer.text.length > 0, "the interim answer");
        assert.equal(peer.text, "HTTP/1.1 100 Continue\r\n\r\n");
        peer.write(framing.startsWith("Content") ? "hello" : "5\r\nhello\r\n0\r\n\r\n");
        await until(() => peer.closed, "the answer");
        assert.match(peer.text, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 [^]*got hello$/);
      } finally {
        peer.destroy();
      }
    }
    const tooLarge = "POST /form HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n" +
      "Content-Length: 2000000\r\n\r\n";
    assert.match(await exchange(port, tooLarge), /^HTTP\/1\.1 413 /);
    const unknown =
      "POST /form HTTP/1.1\r\nHost: x\r\nExpect: the-moon\r\nContent-Length: 0\r\n\r\n";
    assert.match(await exchange(port, unknown), /^HTTP\/1\.1 417 [^]*100-continue only\n$/);
    // Without the expectation nothing interim is sent; a body already there needs no 100.
    const plain = await exchange(
      port,
      "POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi",
    );
    assert.match(plain, /^HTTP\/1\.1 200 [^]*got hi$/);
    const sent =
      "POST /form HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi";
    assert.match(await exchange(port, sent), /^HTTP\/1\.1 200 [^]*got hi$/);
  });
});

test("empty lines before the request line are ignored; a control character in the target is 400", {
  skip,
}, async () => {
  await withDenoTcpServer({ path: "/ws", fallback }, async ({ port }) => {
    const after = await exchange(port, "\r\n\r\nGET /page HTTP/1.1\r\nHost: a\r\n\r\n");
    assert.match(after, /^HTTP\/1\.1 200 [^]*\r\n\r\nhttp:\/\/a\/page got $/);
    for (const target of ["/pa\x00ge", "/pa\x01ge", "/pa\x7fge"]) {
      const answer = await exchange(port, `GET ${target} HTTP/1.1\r\nHost: a\r\n\r\n`);
      assert.match(answer, /^HTTP\/1\.1 400 [^]*bad request line\n$/, JSON.stringify(target));
    }
    const endless = await exchange(port, "\r\n".repeat(20_000));
    assert.match(endless, /^HTTP\/1\.1 431 /);
  });
});
