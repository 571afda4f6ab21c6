/** An item as the page names it: repo#number (the repo only when it is another one) and title, linked to GitHub. */
import { issueUrl, shortRepo } from "./links.ts";

export function ItemLink(props: {
  repo: string;
  number: number;
  title?: string | null;
  url?: string | null;
  /** The repo the reader is looking at: an item of it is named by its number alone. */
  here?: string;
}) {
  const name = props.here === props.repo ? `#${props.number}` : `${shortRepo(props.repo)}#${props.number}`;
  return (
    <a class="item" href={issueUrl(props.repo, props.number, props.url)} target="_blank" rel="noreferrer">
      <span class="ref">{name}</span>
      {props.title ? <span class="title"> {props.title}</span> : null}
    </a>
  );
}
