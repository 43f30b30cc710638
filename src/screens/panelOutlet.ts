/**
 * The presenter's way out to the panel: sends each message to the open panels, keeps the ones a
 * panel opened later needs in the history, and replays that history to every new panel socket.
 */
import type { PanelNamespace, PanelSocket } from './namespaces.ts';
import { createPanelHistory, type PanelHistory, type PanelKept } from './history.ts';
import type { ModerationHealthPayload, PromptSizePayload } from './payloads.ts';

/** A panel message that is sent live only (a new panel asks or waits for the next one). */
export type PanelLive = { event: 'prompt'; data: PromptSizePayload } | { event: 'moderation'; data: ModerationHealthPayload };

export interface PanelOutlet {
  readonly history: PanelHistory;
  send(message: PanelKept | PanelLive): void;
  stop(): void;
}

export function panelOutlet(panel: PanelNamespace, history: PanelHistory = createPanelHistory()): PanelOutlet {
  const onConnection = (socket: PanelSocket) => {
    socket.emit('history', history.payload());
  };
  panel.on('connection', onConnection);

  return {
    history,
    send(message) {
      if (message.event !== 'prompt' && message.event !== 'moderation') history.record(message);
      // Encoding costs even with nobody listening (floods of 2,000 chat lines/s): skip it when no panel is open.
      if (panel.sockets.size === 0) return;
      switch (message.event) {
        case 'transcript':
          panel.emit('transcript', message.data);
          break;
        case 'decision':
          panel.emit('decision', message.data);
          break;
        case 'brain':
          panel.emit('brain', message.data);
          break;
        case 'digest':
          panel.emit('digest', message.data);
          break;
        case 'readiness':
          panel.emit('readiness', message.data);
          break;
        case 'prompt':
          panel.emit('prompt', message.data);
          break;
        case 'moderation':
          panel.emit('moderation', message.data);
          break;
      }
    },
    stop() {
      panel.off('connection', onConnection);
    },
  };
}
