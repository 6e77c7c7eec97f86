// The flow as it actually ran: one lane per party, one arrow per message (a loop for a check a party ran
// on its own), in time order. Clicking an arrow selects the message in the timeline.
import { LANE_TITLES, LANES, type Lane, type TimelineEntry } from '../../shared/timeline.js';

const LANE_WIDTH = 150;
const ROW = 34;
const TOP = 46;

function x(lane: Lane): number {
  return LANES.indexOf(lane) * LANE_WIDTH + LANE_WIDTH / 2;
}

function failed(entry: TimelineEntry): boolean {
  return (entry.status !== undefined && entry.status >= 400) || entry.checks.some((c) => !c.passed);
}

export function SequenceDiagram({
  entries,
  selectedId,
  onSelect,
}: {
  entries: TimelineEntry[];
  selectedId?: string;
  onSelect: (id: string) => void;
}) {
  const width = LANES.length * LANE_WIDTH;
  const height = TOP + entries.length * ROW + 20;
  return (
    <figure className="sequence" data-testid="sequence-diagram">
      <figcaption className="sr-only">
        Sequence diagram of {entries.length} messages between the browser, Moneywise, the directory, the
        bank’s OP and the bank’s API. The same messages are listed in the timeline.
      </figcaption>
      {/* Focusable so that keyboard users can scroll a diagram wider than the screen (WCAG 2.1.1). */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
      <section className="sequence-scroll" tabIndex={0} aria-label="Sequence diagram, scrollable">
        <svg
          viewBox={`0 0 ${width} ${height}`}
          width={width}
          height={height}
          role="img"
          aria-label="Sequence diagram of the flow"
        >
          <defs>
            <marker
              id="arrow"
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerWidth="7"
              markerHeight="7"
              orient="auto-start-reverse"
            >
              <path d="M0,0 L10,5 L0,10 z" className="arrow-head" />
            </marker>
          </defs>
          {LANES.map((lane) => (
            <g key={lane}>
              <rect x={x(lane) - 62} y={6} width={124} height={26} rx={6} className="lane-head" />
              <text x={x(lane)} y={23} textAnchor="middle" className="lane-title">
                {LANE_TITLES[lane]}
              </text>
              <line x1={x(lane)} y1={32} x2={x(lane)} y2={height} className="lifeline" />
            </g>
          ))}
          {entries.map((entry, index) => {
            const y = TOP + index * ROW + 12;
            const from = x(entry.from);
            const to = x(entry.to);
            const classes = `message ${entry.channel} ${failed(entry) ? 'failed' : ''} ${entry.id === selectedId ? 'selected' : ''}`;
            const label = `${entry.status ? `${entry.status} ` : ''}${entry.title}`;
            return (
              // biome-ignore lint/a11y/noStaticElementInteractions: the timeline list is the keyboard route to the same messages
              <g
                key={entry.id}
                className={classes}
                onClick={() => onSelect(entry.id)}
                data-testid="sequence-message"
                data-from={entry.from}
                data-to={entry.to}
                data-channel={entry.channel}
              >
                <title>{label}</title>
                {from === to ? (
                  <path d={`M${from},${y - 8} h28 v16 h-28`} fill="none" markerEnd="url(#arrow)" />
                ) : (
                  <line x1={from} y1={y} x2={to + (to > from ? -4 : 4)} y2={y} markerEnd="url(#arrow)" />
                )}
                <text
                  x={from === to ? from + 34 : (from + to) / 2}
                  y={y - 5}
                  textAnchor={from === to ? 'start' : 'middle'}
                  className="message-label"
                >
                  {label.length > 42 ? `${label.slice(0, 41)}…` : label}
                </text>
              </g>
            );
          })}
        </svg>
      </section>
    </figure>
  );
}
