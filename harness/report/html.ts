import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ChartConfiguration } from 'chart.js';
import {
  driftLines, environmentLine, formatDuration, formatPhase, formatSeconds, loadLines, millisBetween, phaseMedians, reasonsOf, REPLACEMENT_PHASES,
  rolloutLines,
  scenarioFigures,
  trialsPassed, verdictCounts,
} from './figures.js';
import type { Reporter } from './reporter.js';
import type { LoadResult, RunResult, ScenarioResult, Stats, TrialResult, TrialVerdict } from './result.js';
import { writeAtomic } from './write-atomic.js';

/** Text from results, made safe to put between tags or inside a quoted attribute. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/**
 * Chart.js and its annotation plugin as one script, read from node_modules when a report is written: the report
 * must open with no network (a game day's laptop, an archived CI artifact), so nothing is loaded at view time.
 */
function chartLibraries(): string {
  const require = createRequire(import.meta.url);
  const files = [
    join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'),
    join(dirname(require.resolve('chartjs-plugin-annotation')), 'chartjs-plugin-annotation.min.js'),
  ];
  return files.map((file) => readFileSync(file, 'utf8')
    // A source map comment would make developer tools fetch a file that is not there.
    .replace(/^\/\/# sourceMappingURL=.*$/gm, '')
    // Inside a <script> element the HTML parser ends the script at the first `</script`, wherever it stands.
    .replace(/<\/(script)/gi, '<\\/$1')).join('\n;\n');
}

const VERDICT_COLORS: Readonly<Record<TrialVerdict, string>> = { PASS: '#15803d', FAIL: '#b91c1c', ERROR: '#b45309', ABORTED: '#475569', SKIPPED: '#94a3b8' };
// The three lines often coincide (3 pods, 3 endpoints, 3 nodes): a wide pale band under a solid line under a dashed
// one keeps each visible where they overlap.
const SERIES = {
  readyNodes: { label: 'ready nodes', color: 'rgba(124, 58, 237, 0.35)', width: 7, dash: [] as number[], order: 3 },
  readyPods: { label: 'ready pods', color: '#2563eb', width: 2.5, dash: [] as number[], order: 2 },
  readyEndpoints: { label: 'ready endpoints', color: '#16a34a', width: 2, dash: [6, 4], order: 1 },
} as const;
const MARKER_COLORS: Readonly<Record<string, string>> = {
  injected: '#dc2626', reverted: '#6b7280', broken: '#ea580c', recovered: '#059669', note: '#64748b', operator: '#7c3aed',
};
const PHASE_COLORS: Readonly<Record<(typeof REPLACEMENT_PHASES)[number], string>> = {
  created: '#94a3b8', scheduled: '#f59e0b', running: '#0ea5e9', ready: '#6366f1', endpointReady: '#10b981',
};

/**
 * The annotation plugin options this report uses. Its own type declarations import extensionless paths, which
 * NodeNext resolution cannot follow, so the shapes used are declared here.
 */
interface AnnotationLabel {
  readonly display: boolean;
  readonly content: string;
  readonly position: string | { readonly x: 'start' | 'center' | 'end'; readonly y: 'start' | 'center' | 'end' };
  readonly color: string;
  readonly font: { readonly size: number; readonly weight: 'bold' };
}
type Annotation =
  | { readonly type: 'box'; readonly xMin: number; readonly xMax: number; readonly backgroundColor: string; readonly borderWidth: number; readonly label: AnnotationLabel }
  | { readonly type: 'line'; readonly xMin: number; readonly xMax: number; readonly borderColor: string; readonly borderWidth: number; readonly borderDash: readonly number[] }
  | {
    readonly type: 'label'; readonly xValue: number; readonly yValue: number; readonly content: string; readonly color: string;
    readonly backgroundColor: string; readonly font: { readonly size: number }; readonly padding: number;
    readonly borderRadius: number; readonly z: number;
  };

/** A chart to draw: the id of its canvas and its Chart.js configuration (plain JSON: it is embedded as data). */
interface ChartSpec {
  readonly id: string;
  readonly kind: 'timeline' | 'phases' | 'recovery' | 'load';
  readonly config: ChartConfiguration;
}

/** What a marker's line is labelled with on the chart; the full label is in the table under it. */
function shortLabel(kind: string, label: string): string {
  if (kind === 'injected') return label.split(':')[0] ?? kind;
  if (kind === 'note') return label.replace(/^trial \d+ /, '');
  return kind;
}

/** The x axis of a trial's charts, in seconds since T0: the timeline and the load panel under it share it. */
interface TrialAxis {
  readonly origin: number;
  readonly x: (iso: string) => number;
  readonly xMin: number;
  readonly xMax: number;
}

function trialAxis(scenario: ScenarioResult, trial: TrialResult): TrialAxis {
  // Under load the trial's end (its settle included) is on the axis too: the traffic was judged until then.
  const samples = [...trial.timeline.samples].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const origin = Date.parse(trial.t0 ?? samples[0]?.at ?? trial.timeline.markers[0]?.at ?? scenario.startedAt);
  const x = (iso: string): number => (Date.parse(iso) - origin) / 1000;
  const brokenAt = trial.brokenAt === null ? null : x(trial.brokenAt);
  const recoveredAt = trial.recoveredAt === null ? null : x(trial.recoveredAt);
  // A trial that never recovered was watched until its deadline: its longest break says until when.
  const watchedUntil = brokenAt !== null && recoveredAt === null && trial.longestBreakMs !== null ? brokenAt + trial.longestBreakMs / 1000 : null;
  const loadEnd = trial.load && trial.load.series.bins.length > 0 ? x(trial.load.window.to) : null;
  const moments = [...samples.map((s) => x(s.at)), ...trial.timeline.markers.map((m) => x(m.at)), recoveredAt, watchedUntil, loadEnd, 0]
    .filter((v): v is number => v !== null && Number.isFinite(v));
  const end = Math.max(...moments);
  const span = Math.max(end, 0.05);
  // The first sample is the steady state long before T0; show a little of it, not seconds of flat lines.
  const first = samples.length > 0 ? x(samples[0]?.at ?? '') : 0;
  return { origin, x, xMin: Math.min(0, Math.max(first, -span * 0.2)) - span * 0.02, xMax: end + span * 0.08 };
}

/** The markers of a trial as vertical lines, the same on every chart of the trial. */
function markerLines(trial: TrialResult, x: (iso: string) => number): Record<string, Annotation> {
  const annotations: Record<string, Annotation> = {};
  [...trial.timeline.markers].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).forEach((marker, index) => {
    const at = x(marker.at);
    annotations[`marker${index}`] = {
      type: 'line', xMin: at, xMax: at, borderColor: MARKER_COLORS[marker.kind] ?? '#334155',
      borderWidth: marker.kind === 'note' ? 1 : 2,
      borderDash: marker.kind === 'note' ? [3, 3] : [],
    };
  });
  return annotations;
}

/**
 * The load panel under the timeline, on the same time axis with the same markers: requests per second (served and
 * failed, stacked) and the p95 latency of each second.
 */
function loadChart(id: string, scenario: ScenarioResult, trial: TrialResult, load: LoadResult): ChartSpec {
  const { x, xMin, xMax } = trialAxis(scenario, trial);
  const { binMs, bins } = load.series;
  // A slice's bar is centred on its middle; counts are scaled to per second, whatever the slice.
  const mid = (at: string): number => x(at) + binMs / 2000;
  const perSecond = (count: number): number => (count * 1000) / binMs;
  return {
    id,
    kind: 'load',
    config: {
      type: 'bar',
      data: {
        datasets: [
          { type: 'bar', label: 'failed/s', data: bins.map((s) => ({ x: mid(s.at), y: perSecond(s.failed) })), backgroundColor: '#dc2626', stack: 'requests', yAxisID: 'y', barPercentage: 1, categoryPercentage: 1, order: 2 },
          { type: 'bar', label: 'ok/s', data: bins.map((s) => ({ x: mid(s.at), y: perSecond(s.requests - s.failed) })), backgroundColor: 'rgba(22, 163, 74, 0.55)', stack: 'requests', yAxisID: 'y', barPercentage: 1, categoryPercentage: 1, order: 3 },
          { type: 'line', label: 'p95 latency (ms)', data: bins.map((s) => ({ x: mid(s.at), y: s.p95 })), borderColor: '#7c3aed', backgroundColor: '#7c3aed', yAxisID: 'latency', pointRadius: 1.5, borderWidth: 1.5, spanGaps: false, order: 1 },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: false,
        scales: {
          // A bar chart pads its x axis by half a bar unless told not to; the timeline above has no such padding.
          x: { type: 'linear', offset: false, min: xMin, max: xMax, ticks: { includeBounds: false }, title: { display: true, text: 'seconds since T0' } },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: 'requests/s' } },
          latency: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: 'p95 ms' } },
        },
        plugins: { legend: { position: 'top', align: 'end' }, annotation: { annotations: markerLines(trial, x) } },
      },
    } as ChartConfiguration,
  };
}

function timelineChart(id: string, scenario: ScenarioResult, trial: TrialResult): ChartSpec {
  const samples = [...trial.timeline.samples].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const { origin, x, xMin, xMax } = trialAxis(scenario, trial);
  const brokenAt = trial.brokenAt === null ? null : x(trial.brokenAt);
  const recoveredAt = trial.recoveredAt === null ? null : x(trial.recoveredAt);

  const last = samples[samples.length - 1];
  const points = last ? [...samples, { ...last, at: new Date(origin + xMax * 1000).toISOString() }] : [];
  const datasets: { label: string; data: { x: number; y: number }[]; borderColor: string; backgroundColor: string; borderWidth: number; borderDash: number[]; order: number; stepped: 'before'; pointRadius: number; pointHitRadius: number }[] = (Object.keys(SERIES) as (keyof typeof SERIES)[]).map((key) => ({
    label: SERIES[key].label,
    data: points.map((s) => ({ x: x(s.at), y: s[key] })),
    borderColor: SERIES[key].color,
    backgroundColor: SERIES[key].color,
    borderWidth: SERIES[key].width,
    borderDash: [...SERIES[key].dash],
    order: SERIES[key].order,
    // A sample says what holds from its moment on, until the next one: Chart.js calls that step 'before'
    // (the line keeps the previous value until the next point, then steps).
    stepped: 'before' as const,
    pointRadius: 0,
    pointHitRadius: 6,
  }));

  // A rollout's revisions: ready pods of the old and of the new version over time, stepped like the samples.
  for (const rollout of trial.rollouts ?? []) {
    const revisions = [...rollout.revisions].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    const end = revisions.at(-1);
    const steps = end ? [...revisions, { ...end, at: new Date(origin + xMax * 1000).toISOString() }] : [];
    for (const [key, label, color] of [['old', 'old revision ready', '#0891b2'], ['new', 'new revision ready', '#db2777']] as const) {
      datasets.push({
        label: `${rollout.name}: ${label}`, data: steps.map((r) => ({ x: x(r.at), y: r[key] })), borderColor: color, backgroundColor: color,
        borderWidth: 2, borderDash: [2, 2], order: 0, stepped: 'before' as const, pointRadius: 0, pointHitRadius: 6,
      });
    }
  }
  const annotations: Record<string, Annotation> = markerLines(trial, x);
  if (brokenAt !== null) {
    annotations.broken = {
      type: 'box',
      xMin: brokenAt,
      xMax: recoveredAt ?? xMax,
      backgroundColor: recoveredAt === null ? 'rgba(220, 38, 38, 0.16)' : 'rgba(234, 88, 12, 0.12)',
      borderWidth: 0,
      label: {
        display: true,
        content: recoveredAt === null ? 'not recovered' : `broken ${formatSeconds(trial.disruptionMs ?? (recoveredAt - brokenAt) * 1000)}`,
        // Marker labels are stacked up from the bottom; the top is free.
        position: { x: 'center', y: 'start' },
        color: recoveredAt === null ? '#991b1b' : '#9a3412',
        font: { size: 11, weight: 'bold' },
      },
    };
  }
  const markers = [...trial.timeline.markers].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const top = Math.max(1, ...samples.flatMap((s) => [s.readyPods, s.readyNodes, s.readyEndpoints]),
    ...(trial.rollouts ?? []).flatMap((r) => r.revisions.flatMap((v) => [v.old, v.new])));
  markers.forEach((marker, index) => {
    const color = MARKER_COLORS[marker.kind] ?? '#334155';
    const at = x(marker.at);
    // Labels are annotations of their own, drawn above every line (z), so a line a few ms later does not cross
    // out the previous marker's label; markers often fall within milliseconds of each other, so the labels are
    // staggered up the chart.
    annotations[`label${index}`] = {
      type: 'label', xValue: at, yValue: (top + 1) * (0.08 + (index % 4) * 0.2), content: shortLabel(marker.kind, marker.label),
      color: '#ffffff', backgroundColor: color, font: { size: 10 }, padding: 3, borderRadius: 4, z: 10,
    };
  });

  return {
    id,
    kind: 'timeline',
    config: {
      type: 'line',
      data: { datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: { type: 'linear', min: xMin, max: xMax, ticks: { includeBounds: false }, title: { display: true, text: 'seconds since T0' } },
          y: { min: 0, suggestedMax: top + 1, ticks: { precision: 0 }, title: { display: true, text: 'ready' } },
        },
        // The legend follows the drawing order unless told otherwise: list it as the series are declared.
        plugins: { legend: { position: 'top', align: 'end', reverse: true }, annotation: { annotations } },
      },
    } as ChartConfiguration,
  };
}

function phaseChart(id: string, trial: TrialResult): ChartSpec {
  return {
    id,
    kind: 'phases',
    config: {
      type: 'bar',
      data: {
        labels: trial.replacements.map((r) => `${r.pod.name} → ${r.replacement?.name ?? '(no replacement)'}`),
        datasets: REPLACEMENT_PHASES.map((phase) => ({
          label: phase,
          data: trial.replacements.map((r) => r.phasesMs[phase] ?? 0),
          backgroundColor: PHASE_COLORS[phase],
          barThickness: 18,
        })),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        indexAxis: 'y',
        scales: {
          x: { stacked: true, min: 0, title: { display: true, text: 'milliseconds since the pod was deleted' } },
          y: { stacked: true },
        },
        plugins: { legend: { position: 'top', align: 'end' } },
      },
    },
  };
}

function recoveryChart(id: string, scenario: ScenarioResult): ChartSpec {
  const limit = scenario.expect.recoveryWithinMs / 1000;
  // A trial that broke and never recovered was broken for at least the limit: drawn up to it, in a lighter red.
  const unrecovered = (t: TrialResult): boolean => t.recoveryTimeMs === null && t.brokenAt !== null;
  return {
    id,
    kind: 'recovery',
    config: {
      type: 'bar',
      data: {
        labels: scenario.trials.map((t) => `trial ${t.trial}`),
        datasets: [{
          label: 'recovery time (s)',
          data: scenario.trials.map((t) => (t.recoveryTimeMs === null ? null : t.recoveryTimeMs / 1000)),
          backgroundColor: scenario.trials.map((t) => VERDICT_COLORS[t.verdict]),
          maxBarThickness: 48,
        }, {
          label: `not recovered (over ${formatSeconds(scenario.expect.recoveryWithinMs)})`,
          data: scenario.trials.map((t) => (unrecovered(t) ? limit : null)),
          backgroundColor: 'rgba(185, 28, 28, 0.35)',
          borderColor: VERDICT_COLORS.FAIL,
          borderWidth: 1,
          maxBarThickness: 48,
        }],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { x: { stacked: true }, y: { beginAtZero: true, title: { display: true, text: 'seconds' } } },
        plugins: { legend: { display: scenario.trials.some(unrecovered), position: 'top', align: 'end' } },
      },
    },
  };
}

const badge = (verdict: TrialVerdict): string => `<span class="badge ${verdict.toLowerCase()}">${verdict}</span>`;

function statsRow(name: string, stats: Stats | null, scenario: ScenarioResult): string {
  if (stats === null) {
    const why = scenario.trials.some((t) => t.brokenAt !== null) ? 'no trial recovered' : 'no trial broke';
    return `<tr><th>${name}</th><td colspan="6" class="muted">${why}</td></tr>`;
  }
  const cells = [
    stats.count,
    formatSeconds(stats.min),
    formatSeconds(stats.median),
    formatSeconds(stats.p95),
    formatSeconds(stats.max),
    formatSeconds(stats.mean),
  ];
  return `<tr><th>${name}</th>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}

function trialSection(scenario: ScenarioResult, trial: TrialResult, prefix: string, charts: ChartSpec[]): string {
  const id = `${prefix}-t${trial.trial}`;
  charts.push(timelineChart(`${id}-timeline`, scenario, trial));
  const how = trial.injectedAt === null ? 'no fault injected'
    : trial.undisrupted ? 'never broke'
    : trial.recoveryTimeMs === null ? 'did not recover'
    : `recovery ${formatSeconds(trial.recoveryTimeMs)}, disruption ${formatSeconds(trial.disruptionMs)}`;
  const origin = Date.parse(trial.t0 ?? trial.timeline.samples[0]?.at ?? scenario.startedAt);
  const offset = (iso: string | null): string => (iso === null ? '-' : `${((Date.parse(iso) - origin) / 1000).toFixed(3)}s`);
  const faults = trial.faults.map((f) => `<li><code>${escapeHtml(f.kind)}</code> at +${formatSeconds(f.atMs)}: ${f.error
    ? `<span class="bad">could not inject: ${escapeHtml(f.error)}</span>` : escapeHtml(f.summary)}${f.injectedAt === null && f.error === null ? ' <span class="muted">(not injected)</span>' : ''}</li>`).join('');
  // What the people running `run --interactive` said and typed, in the open: the markers table is folded away.
  const said = [...trial.timeline.markers].filter((m) => m.kind === 'operator').sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
    .map((m) => `<li><span class="muted">${offset(m.at)} since T0 (${escapeHtml(m.at)})</span> ${escapeHtml(m.label)}</li>`).join('');
  const markers = [...trial.timeline.markers].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
    .map((m) => `<tr><td>${offset(m.at)}</td><td><span class="dot" style="background:${MARKER_COLORS[m.kind] ?? '#334155'}"></span>${escapeHtml(m.kind)}</td><td>${escapeHtml(m.label)}</td></tr>`).join('');
  let loadPanel = '';
  if (trial.load) {
    const lines = loadLines(trial.load).map((line) => `<li>${escapeHtml(line)}</li>`).join('');
    if (trial.load.series.bins.length > 0) charts.push(loadChart(`${id}-load`, scenario, trial, trial.load));
    loadPanel = `${trial.load.series.bins.length > 0 ? `<div class="chart load"><canvas id="${id}-load" data-chart="load" role="img" aria-label="requests and latency under load, trial ${trial.trial}"></canvas></div>` : ''}
<ul class="load">${lines}</ul>`;
  }
  const drift = driftLines(trial).map((line) => `<li>${escapeHtml(line)}</li>`).join('');
  const rollouts = (trial.rollouts ?? []).map((rollout) => {
    const [first, ...rest] = rolloutLines(rollout);
    return `<li>${escapeHtml(first ?? '')}<ul>${rest.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul></li>`;
  }).join('');
  let replacements = '';
  if (trial.replacements.length > 0) {
    charts.push(phaseChart(`${id}-phases`, trial));
    const rows = trial.replacements.map((r) => `<tr><td>${escapeHtml(r.pod.name)}<div class="muted">${escapeHtml(r.pod.node ?? '-')}</div></td>`
      + `<td>${escapeHtml(r.replacement?.name ?? '(none)')}<div class="muted">${escapeHtml(r.replacement?.node ?? '-')}</div></td>`
      + `<td>${escapeHtml(`${r.owner.kind}/${r.owner.name}`)}</td>`
      + REPLACEMENT_PHASES.map((p) => `<td>${typeof r.phasesMs[p] === 'number' ? formatPhase(r.phasesMs[p]) : '-'}</td>`).join('')
      + '</tr>').join('');
    const height = 70 + trial.replacements.length * 30;
    replacements = `<h4>Replaced pods: phases</h4>
<div class="chart" style="height:${height}px"><canvas id="${id}-phases" data-chart="phases" role="img" aria-label="phases of the replaced pods of trial ${trial.trial}"></canvas></div>
<table class="data"><thead><tr><th>pod</th><th>replacement</th><th>owner</th>${REPLACEMENT_PHASES.map((p) => `<th>${p}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>`;
  }
  const evidence = (['brokenAt', 'recoveredAt'] as const).flatMap((moment) => {
    const snapshot = trial.evidence[moment];
    if (snapshot === null) return [];
    const rows = snapshot.objects.map((o) => `<tr><td>${escapeHtml(`${o.kind}/${o.name}`)}</td><td><code>${escapeHtml(JSON.stringify(o.summary))}</code></td></tr>`).join('')
      + Object.entries(snapshot.omitted ?? {}).map(([kind, count]) => `<tr><td colspan="2" class="muted">and ${count} more ${escapeHtml(kind)}${count === 1 ? '' : 's'}, all healthy (not listed)</td></tr>`).join('');
    const when = moment === 'brokenAt' ? 'when the steady state broke' : 'when it came back';
    return [`<details><summary>Objects ${when} (${offset(snapshot.at)} since T0)</summary><table class="data"><tbody>${rows}</tbody></table></details>`];
  }).join('\n');
  return `<section class="trial" id="${id}">
<h3>Trial ${trial.trial} ${badge(trial.verdict)} <span class="how">${escapeHtml(how)}</span></h3>
${trial.reason ? `<p class="reason">${escapeHtml(trial.reason)}</p>` : ''}
${faults ? `<ul class="faults">${faults}</ul>` : ''}
${said ? `<h4>From the room</h4><ul class="operator">${said}</ul>` : ''}
<div class="chart timeline"><canvas id="${id}-timeline" data-chart="timeline" role="img" aria-label="timeline of trial ${trial.trial}"></canvas></div>
${loadPanel}
${drift ? `<h4>Drift</h4><ul class="drift">${drift}</ul>` : ''}
${rollouts ? `<h4>Rollouts</h4><ul class="rollouts">${rollouts}</ul>` : ''}
<details><summary>Markers (${trial.timeline.markers.length})</summary><table class="data"><thead><tr><th>since T0</th><th>kind</th><th>label</th></tr></thead><tbody>${markers}</tbody></table></details>
${evidence}
${replacements}
</section>`;
}

function detailsSection(scenario: ScenarioResult): string {
  const parts: string[] = [];
  if (scenario.events.length > 0) {
    const rows = scenario.events.map((e) => `<tr><td>${escapeHtml(e.at ?? '-')}</td><td>${escapeHtml(e.type)}</td><td>${escapeHtml(e.reason)}</td>`
      + `<td>${escapeHtml(e.object)}</td><td>${escapeHtml(e.message)}</td><td>${e.count}</td></tr>`).join('');
    parts.push(`<details><summary>Kubernetes events (${scenario.events.length})</summary><table class="data events"><thead><tr><th>at</th><th>type</th><th>reason</th><th>object</th><th>message</th><th>count</th></tr></thead><tbody>${rows}</tbody></table></details>`);
  }
  for (const process of scenario.processes) {
    parts.push(`<details><summary>Process ${escapeHtml(process.name)}: started ${process.starts} time${process.starts === 1 ? '' : 's'}, log ${escapeHtml(process.log)}</summary>`
      + `<pre>${escapeHtml(process.tail.join('\n'))}</pre></details>`);
  }
  return parts.join('\n');
}

function scenarioSection(scenario: ScenarioResult, index: number, charts: ChartSpec[]): string {
  const prefix = `s${index}`;
  charts.push(recoveryChart(`${prefix}-recovery`, scenario));
  const expect = scenario.expect;
  const facts = [
    ['file', escapeHtml(scenario.file)],
    ['namespace', escapeHtml(scenario.namespace ?? '-')],
    ['expect', `recovery within ${formatSeconds(expect.recoveryWithinMs)}, settle ${formatSeconds(expect.settleMs)}`
      + `${expect.maxDisruptionMs === null ? '' : expect.maxDisruptionMs === 0 ? ', no disruption allowed' : `, disruption at most ${formatSeconds(expect.maxDisruptionMs)}`}${expect.mustBreak ? ', must break' : ''}`],
    ['steady state', scenario.steadyState.map(escapeHtml).join('<br>') || '-'],
    ['labels', Object.entries(scenario.labels).map(([k, v]) => `<code>${escapeHtml(`${k}=${v}`)}</code>`).join(' ') || '-'],
  ];
  const phases = phaseMedians(scenario.trials);
  const reasons = reasonsOf(scenario);
  return `<section class="scenario" id="${prefix}">
<h2>${escapeHtml(scenario.name)} ${badge(scenario.verdict)}</h2>
${scenario.description ? `<p class="description">${escapeHtml(scenario.description)}</p>` : ''}
${reasons.length > 0 ? `<ul class="reasons">${reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>` : ''}
<dl class="facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>
<div class="stats">
<div>
<h4>Across trials</h4>
<table class="data"><thead><tr><th></th><th>broken trials</th><th>min</th><th>median</th><th>p95</th><th>max</th><th>mean</th></tr></thead><tbody>
${statsRow('recovery', scenario.stats.recoveryTimeMs, scenario)}
${statsRow('disruption', scenario.stats.disruptionMs, scenario)}
</tbody></table>
${phases.length > 0 ? `<p class="muted">Median replacement phases: ${phases.map((p) => `${p.phase} ${formatPhase(p.medianMs)}`).join(', ')}</p>` : ''}
${scenario.cleanup.length > 0 ? `<p class="bad">Cleanup problems: ${scenario.cleanup.map(escapeHtml).join('; ')}</p>` : ''}
</div>
<div>
<h4>Recovery time per trial <span class="muted">(limit ${formatSeconds(expect.recoveryWithinMs)})</span></h4>
<div class="chart small"><canvas id="${prefix}-recovery" data-chart="recovery" role="img" aria-label="recovery time per trial"></canvas></div>
</div>
</div>
${scenario.trials.map((trial) => trialSection(scenario, trial, prefix, charts)).join('\n')}
${detailsSection(scenario)}
</section>`;
}

function header(result: RunResult): string {
  const environment = result.environment;
  const fingerprint: [string, string][] = [
    ['verdict', `${badge(result.verdict)} ${verdictCounts(result.scenarios)}`],
    result.mode === 'observe' ? ['mode', 'observed: rebound observe applied and injected nothing; each fault is a break someone else caused'] : ['seed', String(result.seed)],
    ['started', `${escapeHtml(result.startedAt)} (took ${formatDuration(millisBetween(result.startedAt, result.finishedAt))})`],
    ['environment', escapeHtml(environmentLine(environment))],
  ];
  if (environment) {
    const timings = Object.entries(environment.timings).map(([k, v]) => `${k}=${v}`).join(', ');
    if (timings) fingerprint.push(['timings', escapeHtml(timings)]);
    fingerprint.push(['machine load', escapeHtml(environment.machine.loadAverage.map((l) => l.toFixed(2)).join(' '))]);
  }
  const vars = Object.entries(result.vars);
  if (vars.length > 0) fingerprint.push(['vars', vars.map(([k, v]) => `<code>${escapeHtml(`${k}=${v}`)}</code>`).join(' ')]);
  const rows = result.scenarios.map((s, index) => {
    const figures = scenarioFigures(s);
    const worst = figures.worstPhase ? `${figures.worstPhase.phase} (${formatPhase(figures.worstPhase.medianMs)})` : '-';
    return `<tr><td><a href="#s${index}">${escapeHtml(s.name)}</a></td><td>${badge(s.verdict)}</td><td>${trialsPassed(figures)}</td>`
      + `<td>${formatSeconds(figures.medianRecoveryMs)}</td><td>${formatSeconds(figures.p95RecoveryMs)}</td><td>${worst}</td>`
      + `<td>${reasonsOf(s).map(escapeHtml).join('<br>')}</td></tr>`;
  }).join('\n');
  return `<header>
<h1>rebound report ${badge(result.verdict)}</h1>
<dl class="facts">${fingerprint.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>
<table class="data summary"><thead><tr><th>scenario</th><th>verdict</th><th>trials passed</th><th>median recovery</th><th>p95 recovery</th><th>worst phase</th><th>reasons</th></tr></thead>
<tbody>${rows}</tbody></table>
<p class="muted">Recovery times are over the trials that broke. Worst phase: the pod replacement phase with the largest median duration.</p>
</header>`;
}

const STYLE = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #0f172a; background: #f8fafc; }
body { margin: 0 auto; max-width: 1180px; padding: 24px; line-height: 1.4; }
h1 { margin: 0 0 12px; font-size: 26px; } h2 { margin: 0 0 6px; font-size: 21px; } h3 { font-size: 16px; margin: 18px 0 6px; } h4 { font-size: 14px; margin: 12px 0 6px; }
header, section.scenario { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 18px 22px; margin-bottom: 20px; break-inside: avoid; }
section.trial { border-top: 1px solid #e2e8f0; margin-top: 14px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; vertical-align: middle; }
.badge.pass { background: ${VERDICT_COLORS.PASS}; } .badge.fail { background: ${VERDICT_COLORS.FAIL}; } .badge.error { background: ${VERDICT_COLORS.ERROR}; }
.badge.aborted { background: ${VERDICT_COLORS.ABORTED}; } .badge.skipped { background: ${VERDICT_COLORS.SKIPPED}; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 14px; margin: 8px 0 12px; font-size: 14px; }
dl.facts dt { color: #475569; } dl.facts dd { margin: 0; }
table.data { border-collapse: collapse; font-size: 13px; margin: 6px 0; }
table.data th, table.data td { border-bottom: 1px solid #e2e8f0; padding: 4px 10px 4px 0; text-align: left; vertical-align: top; }
table.summary { width: 100%; } table.summary td:not(:last-child), table.summary th { white-space: nowrap; }
.muted { color: #64748b; font-size: 12px; } .bad, .reasons { color: #991b1b; } .reason { color: #991b1b; margin: 4px 0; }
.how { font-weight: normal; color: #475569; font-size: 14px; }
.description { margin: 2px 0 8px; color: #334155; }
.stats { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; align-items: start; }
.chart { position: relative; width: 100%; }
.chart.timeline { height: 260px; } .chart.load { height: 190px; } .chart.small { height: 170px; }
.dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 6px; }
ul.faults { margin: 4px 0 8px; padding-left: 20px; font-size: 14px; }
details { margin: 6px 0; font-size: 13px; } summary { cursor: pointer; color: #334155; }
pre { background: #f1f5f9; padding: 8px; overflow-x: auto; font-size: 12px; max-height: 320px; }
code { font-size: 12px; background: #f1f5f9; padding: 0 3px; border-radius: 3px; }
table.data td code { white-space: pre-wrap; overflow-wrap: anywhere; }
table.events td:first-child { white-space: nowrap; }
a { color: #1d4ed8; }
@media (max-width: 800px) { .stats { grid-template-columns: 1fr; } }
`;

/** Draws every chart from the embedded specs; runs in the browser, so it is plain ES2017 with no imports. */
const DRAW = `
(function () {
  var specs = JSON.parse(document.getElementById('rebound-charts').textContent);
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;
  var seconds = function (value) { return Number(value.toFixed(3)) + 's'; };
  specs.forEach(function (spec) {
    var canvas = document.getElementById(spec.id);
    if (spec.kind === 'timeline' || spec.kind === 'load') {
      // The timeline and the load panel under it share their x axis: equal axis widths line their plot areas up.
      var fixWidth = function (width) { return function (scale) { scale.width = width; }; };
      spec.config.options.scales.y.afterFit = fixWidth(64);
      if (spec.kind === 'load') spec.config.options.scales.latency.afterFit = fixWidth(56);
      else spec.config.options.layout = { padding: { right: 56 } };
      spec.config.options.scales.x.ticks = Object.assign({}, spec.config.options.scales.x.ticks, { callback: seconds });
      spec.config.options.plugins.tooltip = { callbacks: { title: function (items) { return items.length ? seconds(items[0].parsed.x) + ' since T0' : ''; } } };
    }
    if (spec.kind === 'phases') {
      spec.config.options.plugins.tooltip = { callbacks: { label: function (item) { return item.dataset.label + ': ' + item.parsed.x + ' ms'; } } };
    }
    new Chart(canvas, spec.config);
  });
})();
`;

/** JSON inside a <script> element: `<` escaped so no value can close the element or open a comment. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * The run as one self-contained HTML page: the verdict, the environment and a table of scenarios, then per
 * scenario its statistics and per trial a timeline of ready pods/nodes/endpoints with the faults marked and the
 * broken span shaded, and the phases of every replaced pod. The charting library is inlined and a Content
 * Security Policy forbids every fetch, so the file shows the same anywhere, offline, forever.
 */
export function renderHtml(result: RunResult): string {
  const charts: ChartSpec[] = [];
  const sections = result.scenarios.map((scenario, index) => scenarioSection(scenario, index, charts)).join('\n');
  const title = `rebound ${result.verdict}: ${result.scenarios.map((s) => s.name).join(', ')}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="rebound">
<title>${escapeHtml(title.length > 120 ? `${title.slice(0, 117)}...` : title)}</title>
<style>${STYLE}</style>
</head>
<body>
${header(result)}
${sections}
<script type="application/json" id="rebound-charts">${scriptJson(charts)}</script>
<script>${chartLibraries()}</script>
<script>${DRAW}</script>
</body>
</html>
`;
}

/** Writes `<out>/report.html`, one file to open in a browser or attach to a game day's notes. */
export class HtmlReporter implements Reporter {
  constructor(private readonly out: string) {}

  /** Where the file goes. */
  get file(): string {
    return join(this.out, 'report.html');
  }

  onRunEnd(result: RunResult): void {
    writeAtomic(this.file, renderHtml(result));
  }
}
