import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Throughput } from '../../../src/wire-types.js';
import { dateTime } from '../format.js';
import type { Theme } from '../theme.js';

/** A CSS colour of the page's palette as the canvas needs it (custom properties hold light-dark() unresolved). */
function cssColor(host: HTMLElement, variable: string): string {
  const probe = document.createElement('span');
  probe.style.color = `var(${variable})`;
  host.appendChild(probe);
  const color = getComputedStyle(probe).color;
  probe.remove();
  return color;
}

/** Runs per second in each bucket. */
const perSecond = (values: readonly number[], bucketMs: number) => values.map((v) => (v * 1_000) / bucketMs);

function chartData(data: Throughput): uPlot.AlignedData {
  return [data.at.map((t) => t / 1_000), perSecond(data.succeeded, data.bucketMs), perSecond(data.failed, data.bucketMs)];
}

/**
 * Succeeded and failed runs per second over the last minutes (uPlot, on a canvas). The figure's
 * caption says the same in words for screen readers: the totals over the window and the latest rate.
 */
export function ThroughputChart({ data, theme }: { data: Throughput | undefined; theme: Theme }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const element = host.current;
    if (element === null) return;
    const axis = cssColor(element, '--muted');
    const grid = cssColor(element, '--grid');
    const series = (label: string, color: string): uPlot.Series => ({
      label,
      stroke: color,
      width: 2,
      fill: color.replace(/^rgb\((.*)\)$/, 'rgba($1, 0.12)'),
      points: { show: false },
      value: (_u, v) => (v == null ? '–' : `${v.toFixed(2)}/s`),
    });
    const options: uPlot.Options = {
      width: Math.max(300, element.clientWidth),
      height: 220,
      series: [{ label: 'Time', value: (_u, t) => (t == null ? '–' : dateTime(t * 1_000)) }, series('Succeeded', cssColor(element, '--ok')), series('Failed', cssColor(element, '--bad'))],
      axes: [
        { stroke: axis, grid: { stroke: grid }, ticks: { stroke: grid } },
        { stroke: axis, grid: { stroke: grid }, ticks: { stroke: grid }, label: 'tasks / s', labelSize: 20, size: 50 },
      ],
      scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] } },
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
    };
    const chart = new uPlot(options, data === undefined ? [[], [], []] : chartData(data), element);
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(300, element.clientWidth), height: 220 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // Colours come from the theme: the chart is drawn anew when it changes.
  }, [theme]);

  useEffect(() => {
    if (data !== undefined) plot.current?.setData(chartData(data));
  }, [data]);

  const total = (values: readonly number[]) => Math.round(values.reduce((a, b) => a + b, 0));
  const minutes = data === undefined ? 0 : Math.round((data.at.length * data.bucketMs) / 60_000);
  const latest = data === undefined ? 0 : ((data.succeeded.at(-1) ?? 0) * 1_000) / data.bucketMs;
  return (
    <figure class="chart">
      <div ref={host} class="chart-canvas" aria-hidden="true" />
      <figcaption>
        {data === undefined ? 'Loading throughput…' : `Last ${minutes} minutes: ${total(data.succeeded)} succeeded, ${total(data.failed)} failed; ${latest.toFixed(1)} tasks per second just now.`}
      </figcaption>
    </figure>
  );
}
