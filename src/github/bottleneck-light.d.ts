// bottleneck's light build (no clustering, no optional Redis requires) has no typings of its own.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck';
  export default Bottleneck;
}
