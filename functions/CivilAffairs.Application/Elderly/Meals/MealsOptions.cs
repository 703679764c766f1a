namespace CivilAffairs.Application.Elderly.Meals;

/// <summary>Settings of section <c>Elderly:Meals</c>.</summary>
public sealed class MealsOptions
{
    /// <summary>Days without a meal anywhere (before today) after which an elder living alone who usually attends gets a welfare check.</summary>
    public int AbsenceDays { get; set; } = 3;

    /// <summary>How far back (days before the absence) "usually attending" is judged.</summary>
    public int UsualWindowDays { get; set; } = 28;

    /// <summary>Meal days within <see cref="UsualWindowDays"/> that make an elder a usual attendee.</summary>
    public int UsualMealDays { get; set; } = 8;

    public MealAttendanceRule Rule => new(AbsenceDays, UsualWindowDays, UsualMealDays);
}
