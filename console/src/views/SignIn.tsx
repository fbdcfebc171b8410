import { useState } from "preact/hooks";
import { setNewPassword, signIn, SignInError, type NewPasswordChallenge, type Session } from "../lib/auth";
import type { ConsoleConfig } from "../lib/config";
import { t } from "../lib/i18n";

export function SignIn({ config, signedIn }: { config: ConsoleConfig; signedIn: (session: Session) => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [challenge, setChallenge] = useState<NewPasswordChallenge | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError("");
    try {
      const answer = challenge
        ? await setNewPassword(config, challenge, password)
        : await signIn(config, email.trim(), password);
      if ("challenge" in answer) {
        setChallenge(answer);
        setPassword("");
      } else {
        signedIn(answer);
      }
    } catch (failure) {
      setError(failure instanceof SignInError ? `${t("signInFailed")}: ${failure.message}` : t("signInFailed"));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in" id="main">
      <form class="card" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">{t("signInTitle")}</h1>
        {challenge ? (
          <p class="muted">{t("newPasswordHint")}</p>
        ) : (
          <>
            <label for="email">{t("email")}</label>
            <input
              id="email"
              type="email"
              autocomplete="username"
              required
              value={email}
              onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
            />
          </>
        )}
        <label for="password">{challenge ? t("newPassword") : t("password")}</label>
        <input
          id="password"
          type="password"
          autocomplete={challenge ? "new-password" : "current-password"}
          required
          value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={busy}>
          {busy ? t("signingIn") : challenge ? t("save") : t("signIn")}
        </button>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
