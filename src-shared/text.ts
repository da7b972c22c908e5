/** Words for counts in messages people read: "1 session", "2 sessions", "1 run was". */
export const plural = (n: number, one: string, many = `${one}s`): string =>
  `${n} ${n === 1 ? one : many}`;
