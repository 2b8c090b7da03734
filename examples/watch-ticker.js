#!/usr/bin/env node
// Submits a ticker run with your API key and prints its events as they arrive over socket.io.
//   BULKHEAD_API_KEY=bk_... node examples/watch-ticker.js [steps] [intervalMs]
// BULKHEAD_URL defaults to http://127.0.0.1:3000.
const { io } = require('socket.io-client');

const url = process.env.BULKHEAD_URL ?? 'http://127.0.0.1:3000';
const key = process.env.BULKHEAD_API_KEY;
const steps = Number(process.argv[2] ?? 5);
const intervalMs = Number(process.argv[3] ?? 200);
const TERMINAL = ['run.succeeded', 'run.failed', 'run.cancelled'];

async function main() {
  if (!key) {
    throw new Error('Set BULKHEAD_API_KEY to a key from POST /v1/admin/tenants/:id/keys.');
  }
  const response = await fetch(`${url}/v1/runs`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ agent: 'ticker', input: { steps, intervalMs } }),
  });
  const run = await response.json();
  if (response.status !== 202) {
    throw new Error(`POST /v1/runs answered ${response.status}: ${run.message}`);
  }
  console.log(`submitted ${run.id} (${run.status})`);

  const socket = io(`${url}/events`, { auth: { token: key }, transports: ['websocket'] });
  socket.on('connect_error', (error) => fail(`socket refused: ${error.message}`));
  socket.on('run.event', (event) => {
    console.log(`#${event.id} ${event.type} ${JSON.stringify(event.data)}`);
    if (TERMINAL.includes(event.type)) {
      socket.close();
    }
  });
  const ack = await socket.emitWithAck('subscribe', { runId: run.id });
  if (!ack.ok) {
    fail(`subscribe failed: ${ack.error.message}`);
  }
}

function fail(message) {
  console.error(message);
  process.exit(1);
}

main().catch((error) => fail(error.message));
