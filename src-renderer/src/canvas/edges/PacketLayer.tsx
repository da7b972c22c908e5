/**
 * One SVG overlay for every moving packet, in the flow's coordinates (React Flow's
 * ViewportPortal) and on its own compositing layer: a moving packet repaints only this layer's
 * few circles, never the layer holding hundreds of edge paths (which, software-rastered, cost a
 * whole-canvas repaint every frame while any packet moved).
 */
import { ViewportPortal } from '@xyflow/react';
import { create } from 'zustand';

/** The overlay's <svg>, once mounted; edges portal their packets into it. */
export const usePacketLayer = create<{ layer: SVGSVGElement | null }>(() => ({ layer: null }));

const setLayer = (layer: SVGSVGElement | null) => usePacketLayer.setState({ layer });

export function PacketLayer() {
  return (
    <ViewportPortal>
      <svg
        ref={setLayer}
        className="packet-layer"
        aria-hidden="true"
        width={1}
        height={1}
        style={{
          position: 'absolute',
          left: 0,
          top: 0,
          overflow: 'visible',
          pointerEvents: 'none',
          willChange: 'transform',
        }}
      />
    </ViewportPortal>
  );
}
