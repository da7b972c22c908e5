/** Renderer entry: connect to the engine, install the api, render the app. */
import '@xyflow/react/dist/style.css';
import './styles/base.css';
import './styles/canvas.css';
import './styles/panels.css';
import './styles/bottom.css';
import './styles/dialogs.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { setApi } from './api';
import { App } from './app/App';
import { initTheme } from './app/theme';
import { handleEvents } from './live/controller';
import { useLive } from './stores/live';
import { connect } from './rpc';

initTheme();
// A viewer: message traffic arrives as one digest per frame, not three events per message.
const client = connect({ digest: true });
setApi({
  call: (method, params) =>
    (client.call as (m: string, p: unknown) => Promise<never>)(method, params),
  onEvents: (cb) => client.onEvents((events) => cb(events)),
});
client.onStatus((status) => useLive.setState({ connected: status === 'open' }));
client.onEvents(handleEvents);

const root =
  document.getElementById('root') ?? document.body.appendChild(document.createElement('div'));
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
