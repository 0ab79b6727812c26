// The pieces of the opening handshake and the server's frame headers, against the RFC's own
// example and the limits they promise.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FrameReader } from "../../testing/ws_frame.ts";
import { closeFrameBody, frameHeaderLength, Opcode, writeFrameHeader } from "./frame_header.ts";
import { handshakeProblem, responseBytes, switchingProtocols } from "./handshake.ts";
import { maxRequestHeadSize, readRequestHead, type RequestHead } from "./http_request_head.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const encode = (s: string) => new TextEncoder().encode(s);

function headOf(lines: string[]): RequestHead {
  const head = readRequestHead(encode(`${lines.join("\r\n")}\r\n\r\n`));
  assert.equal(head.kind, "head");
  return head as RequestHead;
}

const upgrade = [
  "GET /ws HTTP/1.1",
  "Host: localhost",
  "Upgrade: websocket",
  "Connection: keep-alive, Upgrade",
  "Sec-WebSocket-Version: 13",
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
];

test("the accept value of RFC 6455's example", () => {
  const head = text(switchingProtocols("dGhlIHNhbXBsZSBub25jZQ=="));
  assert.equal(
    head,
    "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n" +
      "sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
  );
});

test("a request head: target, headers by lower-case name, repeats joined, its length", () => {
  const raw = "GET /ws?x=1 HTTP/1.1\r\nHost: a\r\nX-Tag: one\r\nx-tag:  two \r\n\r\nNEXT";
  const head = readRequestHead(encode(raw));
  assert.equal(head.kind, "head");
  const { method, target, headers, length } = head as RequestHead;
  assert.deepEqual([method, target, length], ["GET", "/ws?x=1", raw.length - 4]);
  assert.equal(headers.get("x-tag"), "one, two");
  assert.equal(headers.get("host"), "a");
});

test("a request head: incomplete, then each refusal with its status", () => {
  assert.equal(readRequestHead(encode("GET / HTTP/1.1\r\nHost: a\r\n")).kind, "incomplete");
  const refusals: [string, number][] = [
    ["GET / HTTP/2.0\r\n\r\n", 505],
    ["GET /\r\n\r\n", 400],
    ["GET  / HTTP/1.1\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\nno colon\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\nbad name: x\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\nx: a\x00b\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\nx: a\x01\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\nx: a\x7f\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\nx: a\x0b\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\nx: \x0ca\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\nx: a\r\n\r\n", 400], // no Host
    ["GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", 400], // two
    [`GET / HTTP/1.1\r\nx: ${"a".repeat(maxRequestHeadSize)}\r\n\r\n`, 431],
    [`GET / HTTP/1.1\r\nx: ${"a".repeat(maxRequestHeadSize)}`, 431],
  ];
  for (const [raw, status] of refusals) {
    const head = readRequestHead(encode(raw));
    assert.equal(head.kind === "invalid" && head.status, status, JSON.stringify(raw.slice(0, 40)));
  }
  assert.equal(readRequestHead(encode("GET / HTTP/1.1\r\nHost: a\r\n\r\n")).kind, "head");
  assert.equal(readRequestHead(encode("GET / HTTP/1.0\r\nx: a\tb\r\n\r\n")).kind, "head");
});

test("a request head with bare LF line endings is refused with 400, not waited on", () => {
  for (
    const raw of [
      "GET / HTTP/1.1\nHost: a\n\n",
      "GET / HTTP/1.1\r\nHost: a\n\n",
      "GET / HTTP/1.1\nHost: a\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\n\n",
      "GET / HTTP/1.1\r\nHost: a\n\r\n",
    ]
  ) {
    const head = readRequestHead(encode(`${raw}NEXT`));
    assert.deepEqual(
      head,
      { kind: "invalid", status: 400, reason: "a line ending in bare LF" },
      raw,
    );
  }
  // CRLF line endings are still waited for, and read.
  assert.equal(readRequestHead(encode("GET / HTTP/1.1\r\nHost: a\r\n\r")).kind, "incomplete");
  assert.equal(readRequestHead(encode("GET / HTTP/1.1\r\nHost: a\r\n\r\n")).kind, "head");
});

test("a CR not followed by LF is refused with 400; one that ends a read is waited on", () => {
  for (
    const raw of [
      "GET / HTTP/1.1\r\nA: b\rX: y\r\n\r\n",
      "GET / HTTP/1.1\rHost: a\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\n\rX",
      "GET / HTTP/1.1\r\nA: b\rX", // refused at once, before the blank line
    ]
  ) {
    assert.deepEqual(
      readRequestHead(encode(raw)),
      { kind: "invalid", status: 400, reason: "a CR not followed by LF" },
      JSON.stringify(raw),
    );
  }
  // A CRLF split between two reads: the first ends in CR.
  const halves = ["GET / HTTP/1.1\r", "GET / HTTP/1.1\r\nHost: a\r", "GET / HTTP/1.1\r\n\r"];
  for (const raw of halves) {
    assert.equal(readRequestHead(encode(raw)).kind, "incomplete", JSON.stringify(raw));
  }
  // The bytes after the head (a body, frames) may hold any CR.
  const head = readRequestHead(encode("GET / HTTP/1.1\r\nHost: a\r\n\r\n\rX"));
  assert.equal(head.kind === "head" && head.headers.get("host"), "a");
});

test("an upgrade over HTTP/1.0 gets 400, another major version 505", async () => {
  const http10 = headOf(["GET /ws HTTP/1.0", ...upgrade.slice(1)]);
  assert.equal(http10.minorVersion, 0);
  const problem = handshakeProblem(http10);
  assert.equal(problem?.status, 400);
  assert.equal(await problem?.text(), "a WebSocket upgrade needs HTTP/1.1\n");
  // As the Node adapter passes `request.httpVersionMajor` (node:http takes `HTTP/2.0`).
  assert.equal(
    handshakeProblem({ ...headOf(upgrade), majorVersion: 2, minorVersion: 0 })?.status,
    505,
  );
  assert.equal(
    handshakeProblem({ ...headOf(upgrade), majorVersion: 1, minorVersion: 1 }),
    undefined,
  );
});

test("handshake problems: method, connection, version, key, sub-protocols", () => {
  assert.equal(handshakeProblem(headOf(upgrade)), undefined);
  const without = (name: string) => upgrade.filter((line) => !line.startsWith(name));
  assert.equal(handshakeProblem(headOf(["POST /ws HTTP/1.1", ...upgrade.slice(1)]))?.status, 405);
  assert.equal(handshakeProblem(headOf(without("Connection")))?.status, 400);
  const version = handshakeProblem(
    headOf([...without("Sec-WebSocket-Version"), "Sec-WebSocket-Version: 8"]),
  );
  assert.equal(version?.status, 426);
  assert.equal(version?.headers.get("sec-websocket-version"), "13");
  assert.equal(handshakeProblem(headOf(without("Sec-WebSocket-Key")))?.status, 400);
  const shortKey = [...without("Sec-WebSocket-Key"), "Sec-WebSocket-Key: c2hvcnQ="];
  assert.equal(handshakeProblem(headOf(shortKey))?.status, 400);
  // Sub-protocols: a list of tokens, none twice (ws refuses others after Hono's helper parked
  // the request for good: about 7 KB kept per upgrade).
  const protocols = (value: string) =>
    handshakeProblem(headOf([...upgrade, `Sec-WebSocket-Protocol: ${value}`]))?.status;
  assert.equal(protocols("webwire, other"), undefined);
  assert.equal(protocols("webwire"), undefined);
  assert.equal(protocols("a, a"), 400);
  assert.equal(protocols("a b"), 400);
  assert.equal(protocols("a,,b"), 400);
  // No body: it would be read as frames.
  const withBody = (line: string) => handshakeProblem(headOf([...upgrade, line]))?.status;
  assert.equal(withBody("Content-Length: 0"), undefined);
  assert.equal(withBody("Content-Length: 5"), 400);
  assert.equal(withBody("Transfer-Encoding: chunked"), 400);
});

test("a response as raw HTTP: status line, headers, length, close; HEAD without the body", async () => {
  const response = () =>
    new Response("hello", { status: 201, headers: { "x-a": "1", "content-length": "99" } });
  const whole = text(await responseBytes(response()));
  assert.ok(whole.startsWith("HTTP/1.1 201 Created\r\n"), whole);
  assert.ok(whole.includes("\r\nx-a: 1\r\n"), whole);
  assert.ok(!whole.includes("99"), "the response's own content-length is replaced");
  assert.ok(whole.endsWith("content-length: 5\r\nconnection: close\r\n\r\nhello"), whole);
  assert.ok(
    text(await responseBytes(response(), true)).endsWith(
      "content-length: 5\r\nconnection: close\r\n\r\n",
    ),
  );
  assert.ok(
    text(await responseBytes(new Response(null, { status: 299 }))).startsWith("HTTP/1.1 299 \r\n"),
  );
});

test("server frame headers at each length encoding read back as sent", () => {
  for (const length of [0, 125, 126, 65535, 65536, 100_000]) {
    const payload = new Uint8Array(length).fill(length & 0xff);
    const frame = new Uint8Array(frameHeaderLength(length) + length);
    frame.set(payload, writeFrameHeader(frame, 0, Opcode.Binary, length));
    const [read] = new FrameReader().push(frame);
    assert.equal(read.opcode, Opcode.Binary);
    assert.deepEqual(read.payload, payload, `${length} bytes`);
  }
});

test("a close frame body: code, reason cut to 123 bytes on a character boundary", () => {
  const body = closeFrameBody(1002, "é".repeat(100));
  assert.equal(body.length, 2 + 122);
  assert.equal((body[0] << 8) | body[1], 1002);
  assert.equal(text(body.subarray(2)), "é".repeat(61));
  assert.equal(closeFrameBody(1005, "ignored").length, 0);
});
