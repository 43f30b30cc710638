// wavefile's own typings say getSamples always returns a Float64Array; it returns a container of
// the type it is given, one per channel when de-interleaving more than one channel, one for all when interleaved.
import 'wavefile';

declare module 'wavefile' {
  interface WaveFile {
    getSamples(interleaved: false, OutputObject: Float64ArrayConstructor): Float64Array | Float64Array[];
    getSamples(interleaved: false, OutputObject: Int16ArrayConstructor): Int16Array | Int16Array[];
    getSamples(interleaved: true, OutputObject: Float64ArrayConstructor): Float64Array;
  }
}
