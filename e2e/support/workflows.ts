/** Workflows the specs create over RPC. */

/** A fan-out director handing its input to one manual department, which waits for a person. */
export const leadAndDesk = (name: string) => ({
  name,
  sessions: [
    {
      id: 'lead',
      type: 'director',
      name: 'Lead',
      runner: { kind: 'fan-out' },
      position: { x: 0, y: 0 },
    },
    {
      id: 'desk',
      type: 'department',
      name: 'Desk',
      runner: { kind: 'manual' },
      position: { x: 300, y: 0 },
    },
  ],
  edges: [{ id: 'e', from: 'lead', to: 'desk' }],
});
