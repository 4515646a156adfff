import { type TaskRecord, isTerminal } from '@celeriac/core';
import type { FastifyInstance } from 'fastify';
import type { TaskLiveMessage } from '../../wire-types.js';
import type { Dashboard } from '../dashboard.js';
import { notFound } from '../errors.js';
import { taskId } from '../params.js';
import { openEventStream } from '../live/sse.js';

/**
 * `GET api/tasks/:id/live`: Server-Sent Events for the task page. While the task runs, every
 * change of its record is pushed as it happens (`record`: the progress bar moves with each
 * report), and its full view (`view`: timeline, result, error) whenever its state changes. The
 * view is also read every refresh interval, so a finished task that is retried or requeued from
 * elsewhere shows up too. Clients keep the newest `seq`.
 */
export function registerTaskLiveRoute(instance: FastifyInstance, dashboard: Dashboard): void {
  const { app, live } = dashboard;
  instance.get<{ Params: { id: string } }>('/api/tasks/:id/live', { exposeHeadRoute: false }, async (request, reply) => {
    const id = taskId(request.params.id);
    if ((await app.tasks.view(id)) === null) throw notFound(`No task has id ${JSON.stringify(id)}`);
    return openEventStream(request, reply, dashboard.streams, (stream) => {
      const send = (message: TaskLiveMessage) => stream.send(message.type, JSON.stringify(message));
      let following = false;
      // Follows the record live until it ends; started again when a later read finds it running.
      const follow = async () => {
        following = true;
        let state: string | undefined;
        try {
          for await (const record of app.result(id).updates({ signal: stream.signal })) {
            send({ type: 'record', record });
            if (record.state !== state) {
              state = record.state;
              await sendView(record);
            }
          }
        } catch (error) {
          request.log.warn({ err: error, taskId: id }, '@celeriac/dashboard: stopped following a task live; its page updates every refresh interval');
        } finally {
          following = false;
        }
      };
      const sendView = async (record: TaskRecord) => {
        const view = await app.tasks.view(id);
        if (view !== null && view.seq >= record.seq) send({ type: 'view', view });
      };
      return live.watch(`task:${id}`, () => app.tasks.view(id), (_key, json) => {
        stream.send('view', `{"type":"view","view":${json}}`);
        const view = JSON.parse(json) as TaskRecord | null;
        if (view !== null && !isTerminal(view.state) && !following && !stream.signal.aborted) void follow();
      });
    });
  });
}
