"""Participatory budgeting (微实事): proposals, feasibility review, voting, results, implementation."""
