import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import App from './App.jsx';
import { AuthProvider } from './auth.jsx';

// Where to sign in: deployed next to the app, so one build works anywhere.
const config = await (await fetch('/config.json')).json();

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <AuthProvider config={config}>
      <App />
    </AuthProvider>
  </StrictMode>,
);
