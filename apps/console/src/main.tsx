// The shared styles first; components and pages import their own (Vite bundles all into one
// external stylesheet, in import order).
import './styles/base.css';
import './styles/layout.css';
import './styles/forms.css';
import './styles/buttons.css';
import './styles/states.css';
import './styles/dialog.css';
import './styles/values-and-codes.css';
import { render } from 'preact';
import { App } from './app';

const root = document.getElementById('app');
if (root) render(<App />, root);
