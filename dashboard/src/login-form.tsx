/** Asks for the admin token once; the page keeps it in this browser's localStorage. */
import { useState } from "preact/hooks";

export function LoginForm(props: { message: string | null; onSignIn: (token: string) => void }) {
  const [token, setToken] = useState("");
  return (
    <form
      class="panel login"
      onSubmit={(event) => {
        event.preventDefault();
        if (token.trim() !== "") props.onSignIn(token);
      }}
    >
      <h2>Sign in</h2>
      {props.message ? (
        <p class="tone-bad" role="alert">
          {props.message}
        </p>
      ) : null}
      <label>
        Admin token
        <input
          type="password"
          autocomplete="off"
          value={token}
          onInput={(event) => setToken(event.currentTarget.value)}
        />
      </label>
      <button type="submit">Sign in</button>
      <p class="muted">
        The Worker's <code>ADMIN_TOKEN</code> (local mode: <code>local-admin-token</code>). It stays in this
        browser.
      </p>
    </form>
  );
}
