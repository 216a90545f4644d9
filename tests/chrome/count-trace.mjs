// Loads a Chrome Trace Event JSON file with the trace engine of Chrome
// DevTools' Performance panel (@paulirish/trace_engine), a parser cotrace
// did not write, and prints as JSON what that engine found: processes,
// threads (the tracks it would draw), slices per category, and flows.
//
//   node count-trace.mjs TRACE.json
//
// Exit status: 0 ok; 1 the file is not a trace the engine could parse.
import fs from 'node:fs';
import * as Trace from '@paulirish/trace_engine';

// The engine runs in browsers; in Node it needs DOMRect (its README says so).
globalThis.DOMRect ??= class DOMRect {
  constructor(x = 0, y = 0, width = 0, height = 0) {
    Object.assign(this, {x, y, width, height});
  }
};

async function main() {
  const path = process.argv[2];
  if (!path) {
    console.error('usage: node count-trace.mjs TRACE.json');
    return 2;
  }
  const json = JSON.parse(fs.readFileSync(path, 'utf8'));
  if (!json || !Array.isArray(json.traceEvents)) {
    console.error(`${path}: no traceEvents array`);
    return 1;
  }
  const model = Trace.TraceModel.Model.createWithAllHandlers();
  await model.parse(json.traceEvents);
  const data = model.parsedTrace()?.data;
  if (!data) {
    console.error(`${path}: the trace engine returned no data`);
    return 1;
  }

  // Processes and threads as the engine's metadata handler named them.
  const processes = {};
  for (const [pid, ev] of data.Meta.processNames) {
    processes[pid] = ev.args?.name ?? null;
  }
  const threads = {};
  for (const [pid, byTid] of data.Meta.threadsInProcess) {
    for (const [tid, ev] of byTid) {
      threads[`${pid}:${tid}`] = ev.args?.name ?? null;
    }
  }

  // The tracks the Performance panel draws: threads with their entries.
  const tracks = Trace.Handlers.Threads.threadsInTrace(data);
  const slices = {};
  let entries = 0;
  for (const track of tracks) {
    for (const entry of track.entries) {
      entries++;
      if (entry.ph === 'X' || entry.ph === 'B') {
        const cat = entry.cat ?? '';
        slices[cat] = (slices[cat] ?? 0) + 1;
      }
    }
  }
  const trackPids = new Set(tracks.map(t => t.pid));

  // Flows: the engine binds each flow's start and end to slices; a flow
  // counts when both ends found theirs.
  const flows = data.Flows.flows.filter(flow => flow.length >= 2);
  const flowNames = flows.map(flow => flow.map(e => e.name));

  const result = {
    parser: '@paulirish/trace_engine',
    processes: Object.keys(processes).length,
    threads: Object.keys(threads).length,
    track_processes: trackPids.size,
    tracks: tracks.length,
    entries,
    slices,
    flows: flows.length,
    flow_names: flowNames,
    process_names: processes,
    thread_names: threads,
  };
  console.log(JSON.stringify(result, null, 2));
  return 0;
}

process.exitCode = await main().catch(err => {
  console.error(err?.stack ?? String(err));
  return 1;
});
