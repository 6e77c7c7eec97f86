// The flow as it actually ran: one lane per party, one arrow per message (a loop for a check a party ran
// on its own), in time order. Each arrow is a button: click it, or Tab to the diagram and move with the
// arrow keys, to select the message in the timeline. Colours are inline presentation attributes, so the
// same SVG, serialised, stands alone as a slide (diagramSvgMarkup).
import { type KeyboardEvent, useId, useRef } from 'react';
import { LANE_TITLES, LANES, type Lane, type TimelineEntry } from '../../shared/timeline.js';
import { type Outcome, outcomeOf } from './outcome.js';

const LANE_WIDTH = 150;
const ROW = 34;
const TOP = 46;
const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif';

const COLOURS = {
  lane: '#0f5c4d',
  laneText: '#ffffff',
  lifeline: '#aab4be',
  ink: '#17202a',
  back: '#2b4a6f',
  front: '#8a5a00',
  failed: '#a4262c',
  expected: '#5b4a8a',
} as const;

function x(lane: Lane): number {
  return LANES.indexOf(lane) * LANE_WIDTH + LANE_WIDTH / 2;
}

function colourOf(entry: TimelineEntry, outcome: Outcome): string {
  if (outcome === 'failed') return COLOURS.failed;
  if (outcome === 'expected') return COLOURS.expected;
  return entry.channel === 'front' ? COLOURS.front : COLOURS.back;
}

export function SequenceDiagram({
  entries,
  selectedId,
  onSelect,
  fileName = 'sequence-diagram.svg',
}: {
  entries: TimelineEntry[];
  selectedId?: string;
  onSelect: (id: string) => void;
  /** The name the SVG download is saved under. */
  fileName?: string;
}) {
  const svg = useRef<SVGSVGElement>(null);
  // Marker ids are document-wide: two diagrams on a page must not share them.
  const markerPrefix = `arrow-${useId().replace(/[^a-zA-Z0-9_-]/g, '')}`;
  const width = LANES.length * LANE_WIDTH;
  const height = TOP + entries.length * ROW + 20;
  // One tab stop for the whole diagram (the selected arrow); the arrow keys move between messages.
  const focusIndex = Math.max(
    0,
    entries.findIndex((e) => e.id === selectedId),
  );
  const move = (event: KeyboardEvent, index: number) => {
    const step =
      event.key === 'ArrowDown' || event.key === 'ArrowRight'
        ? 1
        : event.key === 'ArrowUp' || event.key === 'ArrowLeft'
          ? -1
          : event.key === 'Home'
            ? -index
            : event.key === 'End'
              ? entries.length - 1 - index
              : 0;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onSelect(entries[index]!.id);
      return;
    }
    if (step === 0) return;
    event.preventDefault();
    const next = entries[Math.min(entries.length - 1, Math.max(0, index + step))]!;
    onSelect(next.id);
    const arrows = svg.current?.querySelectorAll<SVGGElement>('[data-entry-id]') ?? [];
    [...arrows].find((arrow) => arrow.dataset.entryId === next.id)?.focus();
  };
  const colours = [...new Set(Object.values(COLOURS))];
  return (
    <figure className="sequence" data-testid="sequence-diagram">
      <figcaption className="sr-only">
        Sequence diagram of {entries.length} messages between the browser, Moneywise, the directory, the
        bank’s OP and the bank’s API. Each arrow selects its message; the same messages are listed in the
        timeline.
      </figcaption>
      <div className="actions sequence-actions">
        <button
          type="button"
          className="button small"
          data-testid="export-svg"
          onClick={() => svg.current && downloadSvg(diagramSvgMarkup(svg.current), fileName)}
        >
          Download the diagram as SVG
        </button>
      </div>
      <div className="sequence-scroll">
        {/* biome-ignore lint/a11y/useSemanticElements: an SVG cannot be a <fieldset>; the group names the arrows it holds */}
        <svg
          ref={svg}
          xmlns="http://www.w3.org/2000/svg"
          viewBox={`0 0 ${width} ${height}`}
          width={width}
          height={height}
          role="group"
          aria-label="Sequence diagram of the flow: use the arrow keys to move between messages"
          fontFamily={FONT}
        >
          <defs>
            {colours.map((colour) => (
              <marker
                key={colour}
                id={`${markerPrefix}-${colour.slice(1)}`}
                viewBox="0 0 10 10"
                refX="9"
                refY="5"
                // The head keeps its size when the selected arrow's line gets thicker.
                markerUnits="userSpaceOnUse"
                markerWidth="10"
                markerHeight="10"
                orient="auto-start-reverse"
              >
                <path d="M0,0 L10,5 L0,10 z" fill={colour} />
              </marker>
            ))}
          </defs>
          {LANES.map((lane) => (
            <g key={lane}>
              <rect x={x(lane) - 62} y={6} width={124} height={26} rx={6} fill={COLOURS.lane} />
              <text
                x={x(lane)}
                y={23}
                textAnchor="middle"
                fill={COLOURS.laneText}
                fontSize={12}
                fontWeight={700}
              >
                {LANE_TITLES[lane]}
              </text>
              <line
                x1={x(lane)}
                y1={32}
                x2={x(lane)}
                y2={height}
                stroke={COLOURS.lifeline}
                strokeDasharray="4 4"
              />
            </g>
          ))}
          {entries.map((entry, index) => {
            const y = TOP + index * ROW + 12;
            const from = x(entry.from);
            const to = x(entry.to);
            const outcome = outcomeOf(entry);
            const colour = colourOf(entry, outcome);
            const selected = entry.id === selectedId;
            const label = `${entry.status ? `${entry.status} ` : ''}${entry.title}`;
            const stroke = {
              stroke: colour,
              strokeWidth: selected ? 3.2 : 1.6,
              strokeDasharray: entry.channel === 'front' ? '6 3' : undefined,
              markerEnd: `url(#${markerPrefix}-${colour.slice(1)})`,
            };
            return (
              // biome-ignore lint/a11y/useSemanticElements: an SVG arrow cannot be a <button>; role, name, state and keys make it one
              <g
                key={entry.id}
                className={`message ${entry.channel} ${outcome} ${selected ? 'selected' : ''}`}
                role="button"
                tabIndex={index === focusIndex ? 0 : -1}
                aria-pressed={selected}
                aria-label={`${label}: ${LANE_TITLES[entry.from]} to ${LANE_TITLES[entry.to]}${outcome === 'failed' ? ', refused' : outcome === 'expected' ? ', refused as expected' : ''}`}
                onClick={() => onSelect(entry.id)}
                onKeyDown={(event) => move(event, index)}
                data-testid="sequence-message"
                data-entry-id={entry.id}
                data-from={entry.from}
                data-to={entry.to}
                data-channel={entry.channel}
                data-outcome={outcome}
              >
                <title>{label}</title>
                {/* A transparent band the height of the row: the whole row is the target, not a 1.6 px line. */}
                <rect
                  x={Math.min(from, to) - 4}
                  y={y - 16}
                  width={Math.abs(to - from) + 40}
                  height={ROW - 4}
                  fill="transparent"
                />
                {from === to ? (
                  <path d={`M${from},${y - 8} h28 v16 h-28`} fill="none" {...stroke} />
                ) : (
                  <line x1={from} y1={y} x2={to + (to > from ? -4 : 4)} y2={y} {...stroke} />
                )}
                <text
                  x={from === to ? from + 34 : (from + to) / 2}
                  y={y - 5}
                  textAnchor={from === to ? 'start' : 'middle'}
                  fontSize={11}
                  fill={COLOURS.ink}
                  stroke="#ffffff"
                  strokeWidth={3}
                  paintOrder="stroke"
                >
                  {label.length > 42 ? `${label.slice(0, 41)}…` : label}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
    </figure>
  );
}

/**
 * The diagram as a standalone SVG document for slides: every colour inline, no class, no script, no
 * focus or ARIA machinery, on a white background.
 */
export function diagramSvgMarkup(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  for (const element of [copy, ...copy.querySelectorAll('*')]) {
    for (const name of element.getAttributeNames()) {
      if (name === 'class' || name === 'tabindex' || name === 'role' || /^(aria|data)-/.test(name))
        element.removeAttribute(name);
    }
  }
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const background = copy.ownerDocument.createElementNS('http://www.w3.org/2000/svg', 'rect');
  background.setAttribute('width', '100%');
  background.setAttribute('height', '100%');
  background.setAttribute('fill', '#ffffff');
  copy.insertBefore(background, copy.firstChild);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}\n`;
}

function downloadSvg(markup: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([markup], { type: 'image/svg+xml' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
