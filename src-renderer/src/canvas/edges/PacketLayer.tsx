/**
 * Every moving packet, drawn on one <canvas> over the flow (screen coordinates, the viewport's
 * transform applied by hand) from a requestAnimationFrame loop that runs while packets are in
 * flight. No DOM per packet: a packet costs no React render, style, layout, paint or layer
 * change, and the layers holding nodes and edges are never repainted for it — SVG
 * animateMotion packets (and even compositor-animated elements, whose coming and going
 * re-layerised the page) cost a software-rastered canvas most of each frame.
 */
import { useStoreApi } from '@xyflow/react';
import { useEffect, useRef } from 'react';
import { useTheme } from '../../app/theme';
import type { FlowState } from '../../live/flow';
import { LARGE_EDGES, movingEdges } from '../../live/controller';
import { useLive } from '../../stores/live';
import { pointAt, track, type Track } from './motion';

/** Least time between redraws on a large workflow (LARGE_EDGES): every other frame. */
const LARGE_FRAME_MS = 30;

/** How long a packet takes to travel its edge (the live controller's FlowBuffer packetMs). */
export const PACKET_MS = 900;

/** Edge id → its drawn path (registered by each edge as it renders). */
const paths = new Map<string, string>();
const tracks = new Map<string, Track>();

export function setEdgePath(edgeId: string, path: string | null): void {
  if (path === null) paths.delete(edgeId);
  else if (paths.get(edgeId) !== path) paths.set(edgeId, path);
  else return;
  tracks.delete(edgeId);
}

function trackOf(edgeId: string): Track | null {
  let t = tracks.get(edgeId);
  if (!t) {
    const path = paths.get(edgeId);
    if (!path) return null;
    tracks.set(edgeId, (t = track(path)));
  }
  return t;
}

/**
 * Packets keep a visible size when zoomed out: 5 px (6 failed) from zoom 1 down to 0.25, then
 * shrinking with the zoom to 3 px rather than vanishing; above 1 they grow with it.
 */
function radius(zoom: number, failed: boolean): number {
  const r = failed ? 6 : 5;
  return zoom >= 1 ? r * zoom : Math.max(3, r * Math.min(1, zoom * 4));
}

/** Draws the packets of `flows`' `moving` edges; true while any is still travelling. */
function draw(
  ctx: CanvasRenderingContext2D,
  flows: FlowState,
  moving: ReadonlySet<string>,
  [tx, ty, zoom]: readonly [number, number, number],
  colours: { packet: string; failed: string; ring: string },
  now: number,
): boolean {
  let travelling = false;
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = colours.ring;
  for (const id of moving) {
    const packets = flows[id]?.packets;
    if (!packets?.length) continue;
    const t = trackOf(id);
    if (!t) continue;
    for (const p of packets) {
      const progress = (now - p.at) / PACKET_MS;
      if (progress > 1) continue;
      travelling = true;
      const at = pointAt(t, Math.max(0, progress), p.reverse);
      if (!at) continue;
      ctx.beginPath();
      ctx.arc(at[0] * zoom + tx, at[1] * zoom + ty, radius(zoom, p.failed), 0, 2 * Math.PI);
      ctx.fillStyle = p.failed ? colours.failed : colours.packet;
      ctx.fill();
      ctx.stroke();
    }
  }
  return travelling;
}

export function PacketLayer() {
  const ref = useRef<HTMLCanvasElement>(null);
  const store = useStoreApi();
  const theme = useTheme((s) => s.resolved);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return; // jsdom: no canvas, no packets
    const css = getComputedStyle(canvas);
    const colours = {
      packet: css.getPropertyValue('--accent').trim() || '#5b5bd6',
      failed: css.getPropertyValue('--danger').trim() || '#d64545',
      ring: css.getPropertyValue('--panel').trim() || '#ffffff',
    };
    let frame = 0;
    let drawn = false;
    let drawnAt = -Infinity;
    const tick = (time: number) => {
      frame = 0;
      const { width, height, transform, edges } = store.getState();
      // On a large workflow packets move 30 times a second, not 60: each redraw has the
      // software rasteriser redraw the edges and nodes under them too.
      if (edges.length > LARGE_EDGES && time - drawnAt < LARGE_FRAME_MS) {
        frame = requestAnimationFrame(tick);
        return;
      }
      drawnAt = time;
      const dpr = window.devicePixelRatio || 1;
      const w = Math.round(width * dpr);
      const h = Math.round(height * dpr);
      if (canvas.width !== w || canvas.height !== h) {
        canvas.width = w;
        canvas.height = h;
      } else if (drawn) ctx.clearRect(0, 0, w, h);
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      const flows = useLive.getState().flows;
      drawn = draw(ctx, flows, movingEdges(), transform, colours, performance.now());
      // Keep moving while packets travel; the last frame left the canvas clear.
      if (drawn) frame = requestAnimationFrame(tick);
    };
    const wake = () => {
      if (!frame) frame = requestAnimationFrame(tick);
    };
    wake();
    const off = [useLive.subscribe(wake), store.subscribe(wake)];
    return () => {
      cancelAnimationFrame(frame);
      for (const f of off) f();
    };
  }, [store, theme]);
  return <canvas ref={ref} className="packet-layer" aria-hidden="true" />;
}
