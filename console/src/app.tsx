export function App() {
  return <main><h1>bizline</h1></main>;
}
