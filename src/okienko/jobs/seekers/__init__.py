"""Job seekers and employers on the portal: portal accounts, CVs, search consent, candidate search,
contact requests and the log of employers' views of CVs (issue 19, items 1 and 4)."""
