/**
 * The socket.io namespaces as the server holds them: typed by their payloads, so emitting a
 * message a page does not expect, or the wrong shape of one, does not compile.
 */
import type { Namespace, Socket } from 'socket.io';
import type {
  AvatarClientEvents,
  AvatarServerEvents,
  InspectorClientEvents,
  InspectorServerEvents,
  MicClientEvents,
  MicServerEvents,
  PanelClientEvents,
  PanelServerEvents,
} from './payloads.ts';

export type AvatarNamespace = Namespace<AvatarClientEvents, AvatarServerEvents>;
export type AvatarSocket = Socket<AvatarClientEvents, AvatarServerEvents>;
export type PanelNamespace = Namespace<PanelClientEvents, PanelServerEvents>;
export type PanelSocket = Socket<PanelClientEvents, PanelServerEvents>;
export type InspectorNamespace = Namespace<InspectorClientEvents, InspectorServerEvents>;
export type InspectorSocket = Socket<InspectorClientEvents, InspectorServerEvents>;
export type MicNamespace = Namespace<MicClientEvents, MicServerEvents>;
