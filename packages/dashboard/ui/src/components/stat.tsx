import type { ComponentChildren } from 'preact';

/** One figure with its label, e.g. "Waiting 12". */
export function Stat({ label, value, hint, tone }: { label: string; value: ComponentChildren; hint?: ComponentChildren | undefined; tone?: 'bad' | 'warn' | 'ok' | undefined }) {
  return (
    <div class={`stat${tone === undefined ? '' : ` stat-${tone}`}`}>
      <dt>{label}</dt>
      <dd>
        <span class="stat-value">{value}</span>
        {hint === undefined ? null : <span class="stat-hint">{hint}</span>}
      </dd>
    </div>
  );
}
