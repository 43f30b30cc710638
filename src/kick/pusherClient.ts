/**
 * pusher-js's constructor. Its typings declare `export default Pusher` in a CommonJS package whose
 * `module.exports` is the class itself, so under NodeNext the default import is typed as the module
 * namespace while at runtime it is the class: the guard takes whichever the runtime gave.
 */
import PusherModule from 'pusher-js';

export type PusherClient = InstanceType<typeof PusherModule.default>;
type PusherClass = typeof PusherModule.default;

const loaded: unknown = PusherModule;
const isClass = (v: unknown): v is PusherClass => typeof v === 'function';

export const Pusher: PusherClass = isClass(loaded) ? loaded : PusherModule.default;
