// A narrow import of undici's Agent bundles about 270 KiB less than the package index (see README,
// "Cold start"); its types are the package's own.
declare module 'undici/lib/dispatcher/agent.js' {
  import { Agent } from 'undici';
  export default Agent;
}
