// The in-page part of the browser test: it loads the client bundle (dist/webwire-client.js,
// served as /webwire-client.js) and offers two phases to the runner, each resolving with a
// list of checks `{ name, ok, detail }`. Phase one runs on a fresh page; phase two runs after
// the runner reloads the page, to show that the session key survived in localStorage.

// Loaded by URL at run time: the bundle is build output that type checkers cannot resolve.
const bundleUrl = new URL("/webwire-client.js", location.href).href;
const bundle = await import(bundleUrl);
const { Client, RequestError, WebwireError, webStorageSessionStorage } = bundle;

const storageItem = "webwire-session";
const patience = 3000;

// A WebSocket that remembers its instances, so that the page can drop the client's
// connection from outside the client and force a reconnect.
const sockets = [];
class TrackedWebSocket extends WebSocket {
  constructor(...args) {
    super(...args);
    sockets.push(this);
  }
}

function newClient(url) {
  return new Client(url, {
    WebSocket: TrackedWebSocket,
    sessionStorage: webStorageSessionStorage(localStorage, storageItem),
    requestTimeout: patience,
    reconnect: { initialDelay: 20, maxDelay: 100 },
  });
}

function nextEvent(client, type) {
  const event = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${type}" event`)), patience);
    client.addEventListener(type, (event) => {
      clearTimeout(timer);
      resolve(event.detail);
    }, { once: true });
  });
  // A step that fails before awaiting the event must not leave an unhandled rejection.
  event.catch(() => {});
  return event;
}

// Runs the steps in order; a step that throws is a failed check and the rest still run.
async function runChecks(steps) {
  const results = [];
  for (const [name, step] of steps) {
    try {
      const detail = await step();
      results.push({ name, ok: detail === true || typeof detail === "string", detail });
    } catch (error) {
      results.push({ name, ok: false, detail: `${error?.name}: ${error?.message}` });
    }
  }
  return results;
}

function expect(condition, detail) {
  if (!condition) throw new Error(`expected ${detail}`);
  return true;
}

const hex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

async function phaseOne(url) {
  localStorage.clear();
  const client = newClient(url);
  let key = "";
  const results = await runChecks([
    ["connects to the server", async () => {
      await client.connect();
      return expect(client.status === "connected", `connected, got ${client.status}`);
    }],
    ["UTF-8 request and reply", async () => {
      const reply = await client.request("echo", "héllo 🌍");
      return expect(reply.encoding === "utf8" && reply.text() === "héllo 🌍", "a UTF-8 echo");
    }],
    ["UTF-16 request and reply", async () => {
      const reply = await client.request("echo", "こんにちは", { encoding: "utf16" });
      return expect(reply.encoding === "utf16" && reply.text() === "こんにちは", "a UTF-16 echo");
    }],
    ["binary request and reply", async () => {
      const bytes = new Uint8Array([0, 1, 127, 128, 255]);
      const reply = await client.request("echo", bytes);
      return expect(
        reply.encoding === "binary" && hex(reply.bytes) === hex(bytes),
        `a binary echo, got ${reply.encoding} ${hex(reply.bytes)}`,
      );
    }],
    ["error reply is a RequestError with its code", async () => {
      const error = await client.request("error").then(() => null, (e) => e);
      return expect(
        error instanceof RequestError && error.code === "TEST_ERROR",
        `RequestError TEST_ERROR, got ${error}`,
      );
    }],
    ["signal from the server to the page", async () => {
      const signal = nextEvent(client, "signal");
      await client.request("signal-me");
      const { name, payload } = await signal;
      return expect(name === "srvsig" && payload.text() === "ping", `srvsig "ping", got ${name}`);
    }],
    ["signal from the page to the server (echoed back)", async () => {
      const signal = nextEvent(client, "signal");
      client.signal("echo-signal", "from the page");
      const { name, payload } = await signal;
      return expect(
        name === "echo-signal" && payload.text() === "from the page",
        `the echo, got ${name} ${payload.text()}`,
      );
    }],
    ["login creates a session", async () => {
      const created = nextEvent(client, "sessioncreated");
      await client.request("login", "grace");
      key = (await created).key;
      return expect(key.length === 64 && client.session?.key === key, "a 64-character key");
    }],
    ["the session key is in localStorage", () => {
      return expect(localStorage.getItem(storageItem) === key, "the key in localStorage");
    }],
    ["the page drops the connection; the client reconnects and restores the session", async () => {
      const dropped = nextEvent(client, "disconnected");
      const back = nextEvent(client, "connected");
      const before = sockets.length;
      sockets.at(-1).close();
      await dropped;
      await back;
      expect(sockets.length === before + 1, "a new WebSocket");
      const whoami = await client.request("whoami");
      return expect(
        client.session?.key === key && whoami.text() === key,
        "the same session on the new connection",
      );
    }],
    ["closing the client keeps the key in localStorage", async () => {
      await client.close();
      return expect(localStorage.getItem(storageItem) === key, "the key still stored");
    }],
  ]);
  return { key, results };
}

async function phaseTwo(url, key) {
  const client = newClient(url);
  const results = await runChecks([
    ["after a reload, localStorage still holds the key", () => {
      return expect(key !== "" && localStorage.getItem(storageItem) === key, "the stored key");
    }],
    ["a new client restores the session from localStorage on connect", async () => {
      const created = nextEvent(client, "sessioncreated");
      await client.connect();
      const session = await created;
      const user = await client.request("user");
      return expect(
        session.key === key && user.text() === "grace",
        `the session of "grace", got ${user.text()}`,
      );
    }],
    ["closing the session removes the key from localStorage", async () => {
      expect(client.session?.key === key, "the restored session");
      await client.closeSession();
      return expect(
        client.session === null && localStorage.getItem(storageItem) === null,
        "no session and no stored key",
      );
    }],
  ]);
  await client.close();
  return { results };
}

// Every error class the bundle exports keeps its name through minification: `name`,
// `String(error)` and `instanceof` (of the class itself, WebwireError and Error).
const sampleArguments = {
  RequestError: ["E_CODE", "a message"],
  ProtocolError: ["unknown-type", "a message"],
  DialTimeoutError: [5000],
  TimeoutError: [5000],
  IncompatibleProtocolVersionError: [1, 0],
  SubProtocolMismatchError: ["chat", ""],
  MessageTooLargeError: [9000, 8192],
};

function errorClasses() {
  const checks = [];
  for (const [exported, value] of Object.entries(bundle)) {
    if (typeof value !== "function" || !(value.prototype instanceof Error)) continue;
    checks.push([`${exported}: name, String() and instanceof`, () => {
      const error = new value(...(sampleArguments[exported] ?? []));
      const text = String(error);
      return expect(
        error.name === exported && (text === exported || text.startsWith(`${exported}: `)) &&
          error instanceof value && error instanceof WebwireError && error instanceof Error,
        `name ${exported}, got name ${error.name}, String() ${JSON.stringify(text)}`,
      );
    }]);
  }
  checks.push(["the bundle exports error classes", () => {
    return expect(checks.length > 10, `more than 10 error classes, got ${checks.length}`);
  }]);
  return runChecks(checks).then((results) => ({ results }));
}

// The trace, switched on by localStorage.webwireTrace (read when a client is created): one
// echo request per setting, with payloads of 2, 3 and 7 bytes so the runner can tell the
// console.debug lines of each apart.
async function tracing(url) {
  const echo = async (setting, payload) => {
    if (setting === null) localStorage.removeItem("webwireTrace");
    else localStorage.setItem("webwireTrace", setting);
    const client = new Client(url, { WebSocket: TrackedWebSocket, requestTimeout: patience });
    try {
      return (await client.request("echo", payload)).text();
    } finally {
      await client.close();
      localStorage.removeItem("webwireTrace");
    }
  };
  const results = await runChecks([
    ['localStorage.webwireTrace = "1": a client traces', async () => {
      return expect(await echo("1", "hi") === "hi", "the echo");
    }],
    ['localStorage.webwireTrace = "payloads": a client traces payloads', async () => {
      return expect(await echo("payloads", "abc") === "abc", "the echo");
    }],
    ["without localStorage.webwireTrace a client does not trace", async () => {
      return expect(await echo(null, "quiet!!") === "quiet!!", "the echo");
    }],
  ]);
  return { results };
}

// Reconnection made visible in a browser: a client pointed at a port where nothing listens
// reports each failed attempt with its number, cause and the delay until the next one, and a
// request that cannot be sent fails as never sent, or at once with waitForConnection: false.
async function reconnection(deadUrl) {
  const { NotSentError, TimeoutError, ConnectionFailedError, DisconnectedError } = bundle;
  const failures = [];
  const client = new Client(deadUrl, {
    requestTimeout: 300,
    reconnect: { initialDelay: 20, maxDelay: 40 },
    onConnectFailed: (failure) => failures.push(failure),
  });
  client.connect().catch(() => {}); // one attempt; autoconnect goes on retrying
  try {
    const results = await runChecks([
      ["connectfailed fires for each attempt, with its number, cause and next delay", async () => {
        const deadline = Date.now() + patience;
        while (failures.length < 2 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        const [first, second] = failures;
        return expect(
          second !== undefined && first.attempt === 1 && second.attempt === 2 &&
            first.error instanceof ConnectionFailedError && typeof first.retryDelay === "number",
          `failures ${
            JSON.stringify(failures.map((f) => [f.attempt, f.error?.name, f.retryDelay]))
          }`,
        );
      }],
      ["a request never sent fails with NotSentError (a TimeoutError)", async () => {
        const error = await client.request("echo", "x").catch((e) => e);
        return expect(
          error instanceof NotSentError && error instanceof TimeoutError,
          `got ${error?.name}: ${error?.message}`,
        );
      }],
      ["waitForConnection: false fails at once (DisconnectedError) while offline", async () => {
        const started = performance.now();
        const error = await client.request("echo", "x", { waitForConnection: false })
          .catch((e) => e);
        const took = performance.now() - started;
        return expect(
          error instanceof DisconnectedError && !(error instanceof NotSentError) && took < 100,
          `${error?.name} after ${took} ms`,
        );
      }],
    ]);
    return { results };
  } finally {
    await client.close();
  }
}

// A request made while the socket is closing (the peer's close frame has come, its TCP
// connection stays open for a while): Chromium drops what is sent then, so the client holds the
// request for the next connection; a signal throws at once.
async function closingSocket(url) {
  // No session storage: the peer answers requests only, no restore.
  const client = new Client(url, {
    WebSocket: TrackedWebSocket,
    requestTimeout: patience,
    reconnect: { initialDelay: 20, maxDelay: 100 },
  });
  try {
    await client.connect();
    const socket = sockets.at(-1);
    client.signal("close-me");
    const started = performance.now();
    while (socket.readyState !== WebSocket.CLOSING && performance.now() - started < patience) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const closingState = socket.readyState;
    const reply = client.request("who", "late");
    let signalError = null;
    try {
      client.signal("note", "late");
    } catch (error) {
      signalError = error;
    }
    const text = await reply.then((payload) => payload.text(), (e) => `${e.name}: ${e.message}`);
    const results = await runChecks([
      ["the socket was closing", () => expect(closingState === WebSocket.CLOSING, "CLOSING")],
      [
        "a request made then goes on the next connection",
        () => expect(text === "connection 2", `the second connection's reply, got "${text}"`),
      ],
      [
        "a signal made then throws DisconnectedError",
        () =>
          expect(
            signalError?.name === "DisconnectedError",
            `DisconnectedError, got ${signalError}`,
          ),
      ],
    ]);
    return { results };
  } finally {
    await client.close();
  }
}

// Back online: a client whose first attempt failed while the browser was offline waits out a
// long backoff delay; the browser's "online" event ends the wait.
let offlineClient;

async function goneOffline(url) {
  // The delay is random (full jitter) up to 60 s: one of 10 s or more, so that a connect
  // within `patience` after coming back online is the event's doing, never the timer's.
  for (let tries = 0; tries < 20; tries++) {
    const failures = [];
    offlineClient = new Client(url, {
      reconnect: { initialDelay: 60_000, maxDelay: 60_000 },
      onConnectFailed: (failure) => failures.push(failure),
    });
    await offlineClient.connect().catch(() => {});
    const retryDelay = failures[0]?.retryDelay ?? 0;
    if (retryDelay >= 10_000 || tries === 19) {
      return { failures: failures.length, onLine: navigator.onLine, retryDelay };
    }
    await offlineClient.close();
  }
}

async function backOnline() {
  const started = performance.now();
  while (offlineClient.status !== "connected" && performance.now() - started < patience) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const took = Math.round(performance.now() - started);
  const status = offlineClient.status;
  await offlineClient.close();
  return {
    results: [{
      name: "a client waiting out a 60 s backoff connects once the browser is back online",
      ok: status === "connected",
      detail: `${status} after ${took} ms`,
    }],
  };
}

globalThis.webwireBrowserTest = {
  phaseOne,
  phaseTwo,
  errorClasses,
  tracing,
  reconnection,
  closingSocket,
  goneOffline,
  backOnline,
};
