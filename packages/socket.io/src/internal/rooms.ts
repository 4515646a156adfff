/** Every subscriber of a task sits in this room, so one emit reaches them all. */
const PREFIX = 'task:';

export function roomOf(taskId: string): string {
  return `${PREFIX}${taskId}`;
}

/** The task id of a channel room, or undefined for any other room (a socket's own, the app's). */
export function taskIdOf(room: unknown): string | undefined {
  return typeof room === 'string' && room.startsWith(PREFIX) ? room.slice(PREFIX.length) : undefined;
}
