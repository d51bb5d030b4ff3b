"""The opinion map (Polis method): statements, agree/disagree/pass votes, groups and consensus."""
